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
        // A 409 carries the status of a job that failed (a dataset's cohorts): reload to show why.
        .then(function (response) { return response.ok || response.status === 409 ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          if (ENDED.indexOf(job.status) >= 0) {  // before the figures: an ended job's answer may have none (cohorts)
            window.clearInterval(timer);
            window.location.reload();
            return;
          }
          bar.value = job.progress;
          if (text) { text.textContent = job.progress + " %" + (job.rows_processed !== undefined ? " · " + job.rows_processed : ""); }
        })
        .catch(function () { /* try again at the next tick */ });
    }, 1000);
  });

  // A <select data-autosubmit> (e.g. which forecast series to show) submits its form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
