// A canvas note that came from an analysis carries the chart behind it: its badge opens a dialog that draws that
// chart (plotly.js is loaded on first use only: most visits to a canvas never need it).
(function () {
  "use strict";
  var dialog = document.getElementById("evidence-dialog");
  if (!dialog) { return; }
  var target = document.getElementById("evidence-figure");
  var failure = dialog.querySelector(".evidence-error");
  var pageLink = document.getElementById("evidence-page");
  var plotly = null;

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = dialog.getAttribute("data-plotly-src");
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return plotly;
  }

  function show(badge) {
    var page = badge.getAttribute("data-evidence-page");
    pageLink.hidden = !page;
    if (page) { pageLink.href = page; }
    failure.hidden = true;
    target.textContent = "";
    dialog.showModal();
    Promise.all([
      loadPlotly(),
      fetch(badge.getAttribute("data-evidence-figure"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    ]).then(function (loaded) {
      var figure = loaded[1];
      loaded[0].newPlot(target, figure.data, figure.layout, { responsive: true, displaylogo: false });
    }).catch(function () { failure.hidden = false; });
  }

  // Delegated: notes are re-rendered by live updates.
  document.addEventListener("click", function (event) {
    var badge = event.target.closest ? event.target.closest("[data-evidence-figure]") : null;
    if (badge) { event.preventDefault(); show(badge); }
  });
})();
