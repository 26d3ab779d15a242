/* Shared helpers for the console's pages. No inline scripts anywhere (the CSP forbids them):
 * pages pass data through data-* attributes and fetch JSON from /api/v1 with the session. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');

  function esc(text) {
    return String(text === undefined || text === null ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function fetchJSON(url, options) {
    options = options || {};
    var headers = Object.assign({"Accept": "application/json"}, options.headers || {});
    if (options.method && options.method !== "GET" && meta) {
      headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
    return fetch(url, Object.assign({}, options, {headers: headers, credentials: "same-origin"}))
      .then(function (resp) {
        if (resp.status === 401) { window.location.reload(); }
        if (!resp.ok) { throw new Error("HTTP " + resp.status); }
        return resp.json();
      });
  }

  function dataJSON(el, name) {
    try { return JSON.parse(el.getAttribute("data-" + name) || "{}"); } catch (e) { return {}; }
  }

  window.nms = {esc: esc, fetchJSON: fetchJSON, dataJSON: dataJSON,
                lang: document.body.getAttribute("data-lang")};
})();
