// The app's plotly.js bundle (assets/plotly.js) with WebGL scatter (scattergl, strict) added: only for pages that
// may draw a segmentation's scatter of up to 100,000 customers (the analysis page, the canvas's evidence dialog).
// Apart because regl and its shaders are a third of the bundle: the other chart pages load and start faster without.
"use strict";

var Plotly = require("./plotly.js");

Plotly.register([require("plotly.js/src/traces/scattergl/strict")]);

module.exports = Plotly;
