/* The topology map: /api/v1/topology drawn as an ECharts graph (positions come from the server,
 * see web/layout.py). Device colour = root-cause state (up, down, parent down: cut off by an
 * outage upstream, unknown), shape = device role, size = site level; a coloured ring marks the
 * worst open alarm. Link colour = state from both ends' ifOperStatus, width = tier; a dashed
 * line is a planned link that was not found, a dotted one a discovered link the plan lacks.
 * Every data-interval seconds the map is asked for again with If-None-Match: an unchanged map
 * costs a 304 and no redraw; a changed one is redrawn keeping the zoom. Click a device to open
 * its page. The chart and data are exposed as window.nmsTopology for the browser tests.
 * Tooltips use ECharts' richText mode (canvas text), so names are never HTML. */
(function () {
  "use strict";
  var el = document.getElementById("topology");
  if (!el || !window.echarts) { return; }
  var t = nms.dataJSON(el, "i18n");
  var recon = t.recon || {};
  var COLORS = {up: "#2e9d4f", down: "#d93025", parent_down: "#8a63d2", unknown: "#8c96a3"};
  var ALARM_COLORS = {critical: "#a50e0e", major: "#d93025", minor: "#e37400", warning: "#c9a100",
                      info: "#1a73e8"};
  var SHAPES = {router: "circle", firewall: "diamond", switch: "rect", server: "roundRect"};
  var SIZES = {province: 34, city: 30, county: 20, township: 13};
  var WIDTHS = {core: 3.5, county: 2.2, township: 1.2};
  var LINE_TYPES = {missing: "dashed", unexpected: "dotted"};
  var STATES = ["up", "down", "parent_down", "unknown"];
  var src = el.getAttribute("data-src");
  var interval = Math.max(10, parseInt(el.getAttribute("data-interval"), 10) || 30) * 1000;
  var summary = document.getElementById("topology-summary");
  var chart = echarts.init(el, null, {renderer: "canvas"});
  var zoom = 1;
  var etag = null;
  var drawn = false;
  window.addEventListener("resize", function () { chart.resize(); });

  function label(key) { return t[key] || key; }

  function speed(bps) {
    if (!bps) { return ""; }
    if (bps >= 1e9) { return (bps / 1e9) + " Gbit/s"; }
    return (bps / 1e6) + " Mbit/s";
  }

  function reason(n) {
    return (nms.lang === "zh_CN" && n.reason_zh) ? n.reason_zh : (n.reason || "");
  }

  function nodeTip(n) {
    var lines = [n.name];
    if (n.managed) {
      lines.push(label(n.role) + (n.address ? " · " + n.address : ""));
      lines.push((n.site_name || "") + (n.site ? " (" + n.site + ")" : ""));
    } else {
      lines.push(label("not_managed") + (n.address ? " · " + n.address : ""));
    }
    lines.push(label(n.state));
    if (n.state === "parent_down" && n.root_cause) {
      lines.push(label("root_cause") + ": " + n.root_cause);
    }
    if (n.state === "down" || (n.state === "parent_down" && !n.root_cause)) {
      if (reason(n)) { lines.push(reason(n)); }
    }
    if (n.loss_percent !== null && n.loss_percent !== undefined) {
      lines.push(label("loss") + ": " + n.loss_percent + " %" +
                 (n.rtt_avg_ms !== null && n.rtt_avg_ms !== undefined ? " · " + n.rtt_avg_ms + " ms" : ""));
    }
    if (n.alarm) { lines.push(label("alarm") + ": " + label(n.alarm)); }
    return lines.join("\n");
  }

  function linkTip(l) {
    var lines = [l.source + " " + (l.a_interface || "?"), l.target + " " + (l.b_interface || "?")];
    var facts = [];
    if (l.tier) { facts.push(label(l.tier)); }
    if (l.speed_bps) { facts.push(speed(l.speed_bps)); }
    facts.push(label(l.state));
    lines.push(facts.join(" · "));
    if (l.utilisation_percent !== null && l.utilisation_percent !== undefined) {
      lines.push(label("utilisation") + ": " + l.utilisation_percent + " %");
    }
    var plan = recon[l.reconciliation] || l.reconciliation;
    if (l.reconciliation === "wrong_port") {
      plan += " (" + label("planned") + ": " + l.planned_a_interface + " – " + l.planned_b_interface + ")";
    }
    lines.push(plan);
    return lines.join("\n");
  }

  function series(data) {
    var nodes = data.nodes.map(function (n) {
      var color = COLORS[n.state] || COLORS.unknown;
      return {
        id: n.id, name: n.name, x: n.x, y: n.y, value: n.state,
        category: Math.max(0, STATES.indexOf(n.state)),
        symbol: n.managed ? (SHAPES[n.role] || "circle") : "triangle",
        symbolSize: SIZES[n.level] || 12,
        itemStyle: n.alarm ?
          {color: color, borderColor: ALARM_COLORS[n.alarm] || "#d93025", borderWidth: 4} :
          {color: color, borderColor: "#fff", borderWidth: 1},
        raw: n
      };
    });
    var links = data.links.map(function (l) {
      return {
        source: l.source, target: l.target, raw: l,
        lineStyle: {color: COLORS[l.state] || COLORS.unknown, width: WIDTHS[l.tier] || 1,
                    type: LINE_TYPES[l.reconciliation] || "solid",
                    opacity: l.state === "unknown" ? 0.55 : 0.9}
      };
    });
    return {nodes: nodes, links: links};
  }

  function describe(data) {
    var s = data.summary || {};
    var states = s.device_states || {};
    var text = (s.devices !== undefined ? s.devices : data.nodes.length) + " " + label("devices") +
      " · " + data.links.length + " " + label("links");
    ["down", "parent_down"].forEach(function (k) {
      if (states[k]) { text += " · " + states[k] + " " + label(k); }
    });
    return text;
  }

  function draw(data) {
    var s = series(data);
    el.setAttribute("data-node-count", String(s.nodes.length));
    el.setAttribute("data-link-count", String(s.links.length));
    if (summary) { summary.textContent = describe(data); }
    if (!s.nodes.length) {
      chart.clear();
      drawn = false;
      el.setAttribute("data-empty", "1");
      chart.setOption({title: {text: t.empty || "", left: "center", top: "middle",
                               textStyle: {fontSize: 14, color: "#6b7785"}}});
      return;
    }
    el.removeAttribute("data-empty");
    if (drawn) {  // a refresh: new data, same zoom and pan
      chart.setOption({series: [{data: s.nodes, links: s.links}]});
      el.setAttribute("data-refreshed", String((+el.getAttribute("data-refreshed") || 0) + 1));
      return;
    }
    chart.setOption({
      animation: false,
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          if (p.dataType === "node") { return nodeTip(p.data.raw); }
          if (p.dataType === "edge") { return linkTip(p.data.raw); }
          return "";
        }
      },
      legend: [{data: STATES.map(function (s) { return label(s); }), top: 8, left: 8}],
      series: [{
        type: "graph", layout: "none", roam: true, zoom: zoom, scaleLimit: {min: 0.2, max: 10},
        draggable: false, edgeSymbol: ["none", "none"],
        categories: STATES.map(function (s) { return {name: label(s), itemStyle: {color: COLORS[s]}}; }),
        label: {show: true, position: "bottom", fontSize: 10, color: "#1f2933"},
        labelLayout: {hideOverlap: true},
        emphasis: {focus: "adjacency", label: {show: true}},
        data: s.nodes, links: s.links
      }]
    }, true);
    drawn = true;
    el.setAttribute("data-rendered", "1");
  }

  /* GET the map; resolves to the data, or null when the server says 304 (unchanged). The
   * request bypasses the browser cache (the console answers no-store) and carries our ETag. */
  function load() {
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    return fetch(src, {headers: headers, credentials: "same-origin", cache: "no-store"})
      .then(function (resp) {
        if (resp.status === 401) { window.location.reload(); }
        if (resp.status === 304) { return null; }
        if (!resp.ok) { throw new Error("HTTP " + resp.status); }
        etag = resp.headers.get("ETag");
        return resp.json();
      });
  }

  function refresh() {
    if (document.hidden) { return Promise.resolve(null); }
    return load().then(function (data) {
      el.setAttribute("data-checked", String((+el.getAttribute("data-checked") || 0) + 1));
      if (data) {
        window.nmsTopology.data = data;
        draw(data);
      } else {
        el.setAttribute("data-not-modified", String((+el.getAttribute("data-not-modified") || 0) + 1));
      }
      return data;
    }).catch(function () {
      if (summary) { summary.textContent = t.error || "error"; }
    });
  }

  chart.on("click", function (p) {
    if (p.dataType === "node" && p.data.raw.managed) {
      window.location.href = el.getAttribute("data-device-url").replace("__NAME__",
        encodeURIComponent(p.data.id));
    }
  });

  function setZoom(z) {
    zoom = Math.min(10, Math.max(0.2, z));
    chart.setOption({series: [{zoom: zoom}]});
  }
  document.getElementById("zoom-in").addEventListener("click", function () { setZoom(zoom * 1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { setZoom(zoom / 1.25); });
  document.getElementById("zoom-reset").addEventListener("click", function () {
    zoom = 1;
    chart.setOption({series: [{zoom: 1, center: null}]});
    chart.dispatchAction({type: "restore"});
  });

  window.nmsTopology = {chart: chart, data: null, refresh: refresh,
                        etag: function () { return etag; }};
  load().then(function (data) {
    window.nmsTopology.data = data;
    draw(data);
  }).catch(function () {
    el.setAttribute("data-error", "1");
    if (summary) { summary.textContent = t.error || "error"; }
  });
  window.setInterval(refresh, interval);
})();
