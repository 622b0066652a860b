// Dashboards (the team's page and shared pages): "Export PDF" prints with the print stylesheet. Plotly draws charts
// at the width of the screen, so they are redrawn at the paper's width first (data-print-width, in CSS pixels of an
// A4 landscape page) and fitted back to the window afterwards. Printing from the browser's menu does the same
// through beforeprint/afterprint. figures.js draws the charts.
(function () {
  "use strict";
  function plots() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-print-width].js-plotly-plot"));
  }
  function fitToPaper() {
    if (!window.Plotly) { return Promise.resolve(); }
    return Promise.all(plots().map(function (el) {
      return window.Plotly.relayout(el, { autosize: false, width: Number(el.getAttribute("data-print-width")) });
    }));
  }
  function fitToWindow() {
    if (!window.Plotly) { return; }
    plots().forEach(function (el) { window.Plotly.relayout(el, { autosize: true, width: null }); });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { fitToPaper().then(function () { window.print(); }); });
  });
  window.addEventListener("beforeprint", fitToPaper);
  window.addEventListener("afterprint", fitToWindow);
})();
