/* Alarm board live refresh: every data-interval seconds the page's rows are fetched again from
 * /api/v1/alarms (same filters, same page) and redrawn. Every value goes through nms.esc, so an
 * alarm text holding HTML stays text. Paused while the tab is hidden or the box is unticked. */
(function () {
  "use strict";
  var table = document.getElementById("alarm-board");
  if (!table) { return; }
  var t = nms.dataJSON(table, "i18n");
  var src = table.getAttribute("data-src");
  var interval = Math.max(5, parseInt(table.getAttribute("data-interval"), 10) || 15) * 1000;
  var canAct = table.getAttribute("data-can-act") === "1";
  var next = table.getAttribute("data-next") || "/alarms/";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var toggle = document.getElementById("live-refresh");
  var total = document.getElementById("alarm-total");
  var updated = document.getElementById("alarm-updated");
  var tbody = table.querySelector("tbody");
  var esc = nms.esc;

  function when(iso) {  /* "2026-01-01T08:00:00+0800" (configured zone) -> "2026-01-01 08:00:00" */
    return iso ? esc(iso.slice(0, 19).replace("T", " ")) : "-";
  }

  function form(id, action, label, cls) {
    return '<form method="post" action="/alarms/' + id + '/' + action + '" class="inline">' +
      '<input type="hidden" name="csrf_token" value="' + esc(csrf) + '">' +
      '<input type="hidden" name="next" value="' + esc(next) + '">' +
      '<button type="submit" class="' + cls + '" data-action="' + action + '">' + esc(label) +
      '</button></form>';
  }

  function row(a) {
    var reason = (nms.lang === "zh_CN" && a.reason_zh) ? a.reason_zh : a.reason_en;
    var state = esc((t.state || {})[a.state] || a.state);
    if (a.state === "acknowledged" && a.acknowledged_by) {
      state += ' <span class="muted">(' + esc(a.acknowledged_by) + ')</span>';
    }
    if (a.state === "cleared" && a.cleared_by) {
      state += ' <span class="muted">(' + esc(a.cleared_by) + ')</span>';
    }
    if (a.suppressed) { state += ' <span class="badge">' + esc(t.suppressed) + '</span>'; }
    var device = a.device ?
      '<a href="/devices/' + encodeURI(a.device) + '">' + esc(a.device) + '</a>' : "-";
    var html = '<tr data-id="' + esc(a.id) + '"' + (a.suppressed ? ' class="muted"' : '') + '>' +
      '<td><a href="/alarms/' + esc(a.id) + '">' + esc(a.id) + '</a></td>' +
      '<td><span class="sev ' + esc(a.severity) + '">' +
      esc((t.severity || {})[a.severity] || a.severity) + '</span></td>' +
      '<td>' + device + '</td><td><code>' + esc(a.check_id) + '</code></td>' +
      '<td>' + (esc(a.subject) || "-") + '</td><td>' + esc(reason) + '</td>' +
      '<td class="nowrap">' + when(a.raised_at) + '</td>' +
      '<td class="nowrap">' + when(a.last_seen) + '</td><td class="state">' + state + '</td>';
    if (canAct) {
      html += '<td class="nowrap actions">' +
        (a.state === "raised" ? form(a.id, "ack", t.ack, "small") : "") +
        (a.state !== "cleared" ? " " + form(a.id, "clear", t.clear, "small secondary") : "") +
        '</td>';
    }
    return html + '</tr>';
  }

  function draw(data) {
    var items = data.items || [];
    if (items.length) {
      tbody.innerHTML = items.map(row).join("");
    } else {
      tbody.innerHTML = '<tr class="empty"><td colspan="' + (canAct ? 10 : 9) +
        '" id="no-open-alarms">' + esc(t.empty) + '</td></tr>';
    }
    total.setAttribute("data-total", data.total);
    total.textContent = (t.total || "%(n)s").replace("%(n)s", data.total);
    updated.textContent = when(data.time);
    table.setAttribute("data-refreshed", String((+table.getAttribute("data-refreshed") || 0) + 1));
  }

  function refresh() {
    if (document.hidden || (toggle && !toggle.checked)) { return; }
    nms.fetchJSON(src).then(draw).catch(function () {
      updated.textContent = t.error || "error";
    });
  }

  window.setInterval(refresh, interval);
  window.nmsAlarms = {refresh: refresh};
})();
