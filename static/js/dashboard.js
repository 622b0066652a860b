// Dashboards (the team's page and shared pages): the "Export PDF" button prints with the print stylesheet, and the
// charts are re-fitted to the paper before printing and to the window after (figures.js draws them).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  function refit() {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) { window.Plotly.Plots.resize(el); });
  }
  window.addEventListener("beforeprint", refit);
  window.addEventListener("afterprint", refit);
})();
