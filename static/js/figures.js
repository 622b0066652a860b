// Draw every Plotly figure of the page: its JSON is in a <script type="application/json"> block built on the
// server (data-figure names the block); plotly.js is the strict build, which the CSP allows. A trace whose
// meta.narrow_text holds shorter labels (the SWOT quadrants) shows those on a narrow screen: Plotly does not wrap.
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
    }
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: el.getAttribute("data-filename") || "figure", scale: 2 }
    });
  });
})();
