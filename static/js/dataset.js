// A dataset being ingested: follow its progress on the job row (the API), reload the page when it has ended.
(function () {
  "use strict";
  var bar = document.getElementById("dataset-progress");
  if (!bar || !bar.getAttribute("data-status-url")) { return; }
  var text = document.getElementById("dataset-progress-text");
  var timer = window.setInterval(function () {
    fetch(bar.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (dataset) {
        if (!dataset) { return; }
        bar.value = dataset.progress;
        if (text) { text.textContent = dataset.progress + " % · " + dataset.rows_processed; }
        if (["ready", "failed", "cancelled"].indexOf(dataset.status) >= 0) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () { /* try again at the next tick */ });
  }, 1000);
})();
