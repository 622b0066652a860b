// Draw every Plotly figure of the page: its JSON is in a <script type="application/json"> block built on the
// server (data-figure names the block); plotly.js is the strict build, which the CSP allows. A trace whose
// meta.narrow_text holds shorter labels (the SWOT quadrants) shows those on a narrow screen: Plotly does not wrap. A
// figure whose layout.meta.narrow_xrange is set (the cohorts' heat map) shows only that range there, the rest a drag
// away: numbers in cells stay readable.
(function () {
  "use strict";
  var NARROW = 600;  // px of the figure's width
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    if (el.clientWidth < NARROW) {
      figure.data.forEach(function (trace) {
        if (trace.meta && trace.meta.narrow_text) { trace.text = trace.meta.narrow_text; }
      });
      if (figure.layout.meta && figure.layout.meta.narrow_xrange) { figure.layout.xaxis.range = figure.layout.meta.narrow_xrange; }
    }
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: el.getAttribute("data-filename") || "figure", scale: 2 }
    });
  });
})();
