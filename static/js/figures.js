// Draw every Plotly figure of the page: its JSON is in a <script type="application/json"> block built on the
// server (data-figure names the block); plotly.js is the strict build, which the CSP allows.
(function () {
  "use strict";
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: el.getAttribute("data-filename") || "figure", scale: 2 }
    });
  });
})();
