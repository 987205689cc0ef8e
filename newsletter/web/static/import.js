// A list page with an import under way: polls GET /api/imports/{id} every 2 seconds and
// updates its progress in place, then reloads the page (which shows the report) when it ends.
// Everything it writes goes through textContent: nothing from the server becomes markup.
(function () {
  "use strict";
  var INTERVAL = 2000;
  var root = document.getElementById("import-progress");
  if (!root || !window.fetch) return;
  var api = "/api/imports/" + root.getAttribute("data-import-id");
  var meter = document.getElementById("import-meter");
  var state = root.querySelector('[data-field="import-state"]');

  function show(job) {
    var text = job.status === "queued" ? "Waiting for a worker."
      : Math.floor(job.bytes_read * 100 / (job.size || 1)) + "% of the file read.";
    meter.max = job.size || 1;
    meter.value = job.bytes_read;
    if (state.textContent !== text) state.textContent = text;
  }

  function poll() {
    fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job && (job.status === "done" || job.status === "failed")) {
          window.location.reload();
          return;
        }
        if (job) show(job);
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () { window.setTimeout(poll, INTERVAL); });
  }

  window.setTimeout(poll, INTERVAL);
})();
