/* The topology map: /api/v1/topology drawn as an ECharts graph (positions come from the server,
 * see web/layout.py). Colour = reachability, shape = device role, size = site level.
 * A coloured ring marks the worst open alarm. Click a device to open its page. The chart and data are exposed as window.nmsTopology for
 * the browser tests. Tooltips use ECharts' richText mode (canvas text), so names are never HTML. */
(function () {
  "use strict";
  var el = document.getElementById("topology");
  if (!el || !window.echarts) { return; }
  var t = nms.dataJSON(el, "i18n");
  var COLORS = {up: "#2e9d4f", down: "#d93025", unknown: "#8c96a3"};
  var ALARM_COLORS = {critical: "#a50e0e", major: "#d93025", minor: "#e37400", warning: "#c9a100",
                      info: "#1a73e8"};
  var SHAPES = {router: "circle", firewall: "diamond", switch: "rect", server: "roundRect"};
  var SIZES = {province: 34, city: 30, county: 20, township: 13};
  var WIDTHS = {core: 3.5, county: 2.2, township: 1.2};
  var STATES = ["up", "down", "unknown"];
  var summary = document.getElementById("topology-summary");
  var chart = echarts.init(el, null, {renderer: "canvas"});
  var zoom = 1;
  window.addEventListener("resize", function () { chart.resize(); });

  function draw(data) {
    var nodes = data.nodes.map(function (n) {
      return {
        id: n.id, name: n.name, x: n.x, y: n.y, value: n.state,
        category: STATES.indexOf(n.state),
        symbol: SHAPES[n.role] || "circle", symbolSize: SIZES[n.level] || 14,
        itemStyle: n.alarm ?
          {color: COLORS[n.state] || COLORS.unknown, borderColor: ALARM_COLORS[n.alarm] || "#d93025",
           borderWidth: 4} :
          {color: COLORS[n.state] || COLORS.unknown, borderColor: "#fff", borderWidth: 1},
        raw: n
      };
    });
    var links = data.links.map(function (l) {
      return {
        source: l.source, target: l.target, raw: l,
        lineStyle: {color: COLORS[l.state] || COLORS.unknown, width: WIDTHS[l.tier] || 1,
                    opacity: l.state === "unknown" ? 0.55 : 0.9}
      };
    });
    el.setAttribute("data-node-count", String(nodes.length));
    el.setAttribute("data-link-count", String(links.length));
    if (summary) {
      summary.textContent = nodes.length + " " + (t.devices || "devices") + " · " +
        links.length + " " + (t.links || "links");
    }
    if (!nodes.length) {
      chart.clear();
      el.setAttribute("data-empty", "1");
      chart.setOption({title: {text: t.empty || "", left: "center", top: "middle",
                               textStyle: {fontSize: 14, color: "#6b7785"}}});
      return;
    }
    chart.setOption({
      animation: false,
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          if (p.dataType === "node") {
            var n = p.data.raw;
            return n.name + "\n" + (t[n.role] || n.role) + " · " + n.address + "\n" +
              n.site_name + " (" + n.site + ")\n" + (t[n.state] || n.state) +
              (n.alarm ? "\n" + (t.alarm || "alarm") + ": " + (t[n.alarm] || n.alarm) : "");
          }
          if (p.dataType === "edge") {
            var l = p.data.raw;
            return l.source + " " + l.a_interface + "\n" + l.target + " " + l.b_interface + "\n" +
              (t[l.tier] || l.tier) + (l.bandwidth_mbps ? " · " + l.bandwidth_mbps + " Mbit/s" : "") +
              " · " + (t[l.state] || l.state);
          }
          return "";
        }
      },
      legend: [{data: STATES.map(function (s) { return t[s] || s; }), top: 8, left: 8}],
      series: [{
        type: "graph", layout: "none", roam: true, zoom: zoom, scaleLimit: {min: 0.2, max: 10},
        draggable: false, edgeSymbol: ["none", "none"],
        categories: STATES.map(function (s) { return {name: t[s] || s, itemStyle: {color: COLORS[s]}}; }),
        label: {show: true, position: "bottom", fontSize: 10, color: "#1f2933"},
        labelLayout: {hideOverlap: true},
        emphasis: {focus: "adjacency", label: {show: true}},
        data: nodes, links: links
      }]
    }, true);
    el.setAttribute("data-rendered", "1");
  }

  chart.on("click", function (p) {
    if (p.dataType === "node") {
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

  nms.fetchJSON(el.getAttribute("data-src")).then(function (data) {
    window.nmsTopology = {chart: chart, data: data};
    draw(data);
  }).catch(function () {
    el.setAttribute("data-error", "1");
    if (summary) { summary.textContent = t.error || "error"; }
  });
})();
