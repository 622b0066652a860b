// The plotly.js bundle the app serves: only the trace types our figures use (bar, heatmap, scatter, scatterpolar;
// WebGL scatter in its strict form is in assets/plotly-gl.js, for the segmentation's page only) and the zh-CN locale,
// built by assets/build.mjs on `npm ci`. Strict: nothing here
// compiles code at run time (no eval, no new Function), so the CSP's script-src 'self' holds.
"use strict";

var Plotly = require("plotly.js/lib/core");

Plotly.register([
  require("plotly.js/lib/bar"),
  require("plotly.js/lib/heatmap"),
  require("plotly.js/lib/scatterpolar"),
  require("plotly.js/lib/locales/zh-cn"),
]);

// Charts speak the page's language (<html lang="zh-hans"> → Plotly's zh-CN: toolbar, hover labels, date ticks), on
// every page that draws one (static/js/figures.js, the canvas's evidence dialog), without each passing it.
if (typeof document !== "undefined" && /^zh/i.test(document.documentElement.lang)) {
  Plotly.setPlotConfig({ locale: "zh-CN" });
}

module.exports = Plotly;
