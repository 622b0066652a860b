// A background job (a dataset's ingest, a model run): follow its progress on the job row through the API and reload
// the page when it has ended. The <progress data-status-url> element says what to poll; its sibling
// [data-progress-text] shows the figures.
(function () {
  "use strict";
  var ENDED = ["ready", "succeeded", "failed", "cancelled"];
  document.querySelectorAll("progress[data-status-url]").forEach(function (bar) {
    var text = bar.parentNode.querySelector("[data-progress-text]");
    var timer = window.setInterval(function () {
      fetch(bar.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          bar.value = job.progress;
          if (text) { text.textContent = job.progress + " %" + (job.rows_processed !== undefined ? " · " + job.rows_processed : ""); }
          if (ENDED.indexOf(job.status) >= 0) {
            window.clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { /* try again at the next tick */ });
    }, 1000);
  });

  // A <select data-autosubmit> (e.g. which forecast series to show) submits its form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
