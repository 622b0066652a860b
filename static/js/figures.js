// Draw every Plotly figure of the page: its JSON is in a <script type="application/json"> block built on the
// server (data-figure names the block); plotly.js is the strict build, which the CSP allows. A trace whose
// meta.narrow_text holds shorter labels (the SWOT quadrants) shows those on a narrow screen: Plotly does not wrap. A
// figure whose layout.meta.narrow_xrange is set (the cohorts' heat map) shows only that range there, the rest a drag
// away: numbers in cells stay readable.
// Charts in the window (or within AHEAD px of it) are drawn at once; the others when a scroll brings them near
// (IntersectionObserver; a browser without it draws them all at once), and all before printing. So a first visit
// pays only for the charts it shows. Each chart's data-drawn says when it was drawn (ms since the page's start:
// bench/page_load.py reads it).
(function () {
  "use strict";
  var NARROW = 600;  // px of the figure's width
  var AHEAD = 200;  // px beyond the window where charts are drawn before they come into view

  function draw(el, width) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly || el.hasAttribute("data-drawing")) { return; }
    el.setAttribute("data-drawing", "");
    var figure = JSON.parse(source.textContent);
    if (width < NARROW) {
      figure.data.forEach(function (trace) {
        if (trace.meta && trace.meta.narrow_text) { trace.text = trace.meta.narrow_text; }
      });
      if (figure.layout.meta && figure.layout.meta.narrow_xrange) { figure.layout.xaxis.range = figure.layout.meta.narrow_xrange; }
    }
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: el.getAttribute("data-filename") || "figure", scale: 2 }
    }).then(function () { el.setAttribute("data-drawn", String(Math.round(performance.now()))); });
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  // Every position and width read before the first chart is drawn: one layout, not one per chart.
  var boxes = charts.map(function (el) { return el.getBoundingClientRect(); });
  var lazy = "IntersectionObserver" in window;
  var later = [];
  charts.forEach(function (el, index) {
    var box = boxes[index];
    var near = box.bottom > -AHEAD && box.top < window.innerHeight + AHEAD && box.width > 0;
    if (near || !lazy) { draw(el, box.width); } else { later.push(el); }
  });
  if (!later.length) { return; }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) { return; }
      observer.unobserve(entry.target);
      draw(entry.target, entry.boundingClientRect.width);
    });
  }, { rootMargin: AHEAD + "px 0px" });
  later.forEach(function (el) { observer.observe(el); });
  // Printing (the PDF buttons, the browser's menu) shows every chart: draw the rest first. This listener runs before
  // dashboard.js's, which then fits all of them to the paper.
  window.addEventListener("beforeprint", function () {
    later.forEach(function (el) { observer.unobserve(el); draw(el, el.clientWidth); });
  });
})();
