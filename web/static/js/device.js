/* Device charts: traffic (bit/s), CPU and memory from /api/v1/devices/<name>/metrics for the
 * chosen range. Without data the page says so instead of drawing empty axes. */
(function () {
  "use strict";
  var box = document.getElementById("charts");
  if (!box || !window.echarts) { return; }
  var t = nms.dataJSON(box, "i18n");
  var empty = document.getElementById("charts-empty");
  var trafficEl = document.getElementById("chart-traffic");
  var healthEl = document.getElementById("chart-health");
  var traffic = echarts.init(trafficEl);
  var health = echarts.init(healthEl);
  window.addEventListener("resize", function () { traffic.resize(); health.resize(); });

  function bps(v) {
    var units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
    var i = 0;
    while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
    return (Math.round(v * 10) / 10) + " " + units[i];
  }

  function base(title, formatter, max) {
    return {
      animation: false,
      title: {text: title, left: 8, top: 6, textStyle: {fontSize: 13}},
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {top: 6, right: 10},
      grid: {left: 70, right: 20, top: 40, bottom: 30},
      xAxis: {type: "time"},
      yAxis: {type: "value", max: max, axisLabel: {formatter: formatter}},
      series: []
    };
  }

  function line(name, data) {
    return {name: name, type: "line", showSymbol: false, data: data, sampling: "lttb"};
  }

  function show(range) {
    var url = box.getAttribute("data-src") + "?range=" + encodeURIComponent(range);
    box.setAttribute("data-loading", "1");
    nms.fetchJSON(url).then(function (m) {
      var s = m.series || {};
      box.setAttribute("data-has-data", m.has_data ? "1" : "0");
      empty.hidden = !!m.has_data;
      empty.textContent = m.has_data ? "" : (t.nodata || "");
      trafficEl.hidden = !m.has_data;
      healthEl.hidden = !m.has_data;
      if (m.has_data) {
        var tr = base(t.traffic, bps);
        tr.series = [line(t["in"], s.in_bps || []), line(t.out, s.out_bps || [])];
        traffic.setOption(tr, true);
        var he = base(t.health, "{value} %", 100);
        he.series = [line(t.cpu, s.cpu_percent || []), line(t.memory, s.memory_percent || [])];
        health.setOption(he, true);
        traffic.resize(); health.resize();
      }
      box.removeAttribute("data-loading");
    }).catch(function () {
      empty.hidden = false;
      empty.textContent = t.error || "error";
      box.removeAttribute("data-loading");
    });
  }

  var buttons = document.querySelectorAll("#ranges button");
  Array.prototype.forEach.call(buttons, function (b) {
    b.addEventListener("click", function () {
      Array.prototype.forEach.call(buttons, function (o) { o.classList.remove("current"); });
      b.classList.add("current");
      show(b.getAttribute("data-range"));
    });
  });
  show(box.getAttribute("data-range"));
})();
