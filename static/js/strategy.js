// Strategy views: moving SWOT items between quadrants by drag and drop (figures.js draws the charts; the PDF
// button prints through dashboard.js, which first redraws the charts at the paper's width).
(function () {
  "use strict";

  // An empty chart's "Add the first entry": open the form it links to (also where <details> does not open by itself
  // for a link) and put the cursor in its first field.
  document.querySelectorAll("[data-empty-figure] a[href^='#add-']").forEach(function (link) {
    link.addEventListener("click", function () {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var details = target.closest("details");
      if (details) { details.open = true; }
      var field = target.querySelector("input:not([type=hidden]), select, textarea");
      if (field) { window.setTimeout(function () { field.focus(); }, 0); }
    });
  });

  var grid = document.querySelector(".swot-grid");
  var form = document.getElementById("swot-move");
  if (!grid || !form) { return; }
  var dragged = null;
  grid.addEventListener("dragstart", function (event) {
    dragged = event.target.closest && event.target.closest(".swot-item[draggable=true]");
    if (dragged) { event.dataTransfer.setData("text/plain", dragged.getAttribute("data-row")); }
  });
  grid.addEventListener("dragend", function () { dragged = null; });
  grid.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest(".quadrant")) { event.preventDefault(); }
  });
  grid.addEventListener("drop", function (event) {
    var quadrant = event.target.closest(".quadrant");
    if (!dragged || !quadrant) { return; }
    event.preventDefault();
    if (dragged.closest(".quadrant") === quadrant) { dragged = null; return; }  // dropped where it was
    form.action = grid.getAttribute("data-move-url-template").replace("/0/", "/" + dragged.getAttribute("data-row") + "/");
    form.elements.kind.value = quadrant.getAttribute("data-kind");
    form.elements.version.value = dragged.getAttribute("data-version");
    form.submit();
  });
})();
