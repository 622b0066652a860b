// Dashboards (the team's page and shared pages) and strategy views: "Export PDF" prints with the print stylesheet.
// Plotly draws charts at the width of the screen, so they are redrawn at their size on paper first (data-print-width
// and, where the print layout sets it, data-print-height: CSS pixels of an A4 landscape page) and fitted back to the
// window afterwards. Printing from the browser's menu does the same through beforeprint/afterprint. figures.js draws
// the charts.
(function () {
  "use strict";
  function plots() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-print-width].js-plotly-plot"));
  }
  function fitToPaper() {
    if (!window.Plotly) { return Promise.resolve(); }
    return Promise.all(plots().map(function (el) {
      var update = { autosize: false, width: Number(el.getAttribute("data-print-width")) };
      if (el.hasAttribute("data-print-height")) {
        if (!el.hasAttribute("data-screen-height")) { el.setAttribute("data-screen-height", el.layout.height); }
        update.height = Number(el.getAttribute("data-print-height"));
      }
      return window.Plotly.relayout(el, update);
    }));
  }
  function fitToWindow() {
    if (!window.Plotly) { return; }
    plots().forEach(function (el) {
      var update = { autosize: true, width: null };
      if (el.hasAttribute("data-screen-height")) {
        update.height = Number(el.getAttribute("data-screen-height"));
        el.removeAttribute("data-screen-height");
      }
      window.Plotly.relayout(el, update);
    });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { fitToPaper().then(function () { window.print(); }); });
  });
  window.addEventListener("beforeprint", fitToPaper);
  window.addEventListener("afterprint", fitToWindow);
})();

// The owner's layout list: drag a panel by its handle, or press its Move up / Move down button (keyboard: Tab to it,
// Enter). Without JavaScript the Move buttons submit the form; with it the row moves at once, keeps the focus, and
// the order of the panels shown is saved through the dashboard API (their bindings and the canvas stay as saved),
// then the panels on the page are put in the same order.
(function () {
  "use strict";
  var form = document.querySelector("[data-layout-form]");
  if (!form) { return; }
  var list = form.querySelector("[data-layout-list]");
  var status = form.querySelector("[data-layout-status]");
  var grid = document.querySelector("[data-dash-grid]");
  var dragged = null;

  function rows() { return Array.prototype.slice.call(list.querySelectorAll(".layout-row")); }

  function refreshButtons() {
    var all = rows();
    all.forEach(function (row, index) {
      row.querySelector("[data-move=up]").disabled = index === 0;
      row.querySelector("[data-move=down]").disabled = index === all.length - 1;
    });
  }

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    var layout = rows().filter(function (row) { return row.getAttribute("data-shown") === "1"; })
      .map(function (row) { return row.getAttribute("data-key"); });
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(form.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, "Accept": "application/json" },
      body: JSON.stringify({ layout: layout })
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      if (grid) {
        layout.forEach(function (key) {
          var section = grid.querySelector("[data-panel=\"" + key + "\"]");
          if (section) { grid.appendChild(section); }
        });
      }
      say(status.getAttribute("data-saved"));
    }).catch(function () { say(status.getAttribute("data-failed")); });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) { return; }
    event.preventDefault();
    var row = button.closest(".layout-row");
    if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    } else { return; }
    refreshButtons();
    var same = row.querySelector("[data-move=" + button.getAttribute("data-move") + "]");
    (same.disabled ? row.querySelector("[data-move]:not([disabled])") : same).focus();
    save();
  });

  // Dragging starts only from the handle, so selecting text or using the controls in a row never drags it.
  list.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest("[data-drag-handle]");
    if (handle) { handle.closest(".layout-row").setAttribute("draggable", "true"); }
  });
  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".layout-row");
    if (!dragged) { return; }
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.getAttribute("data-key"));
  });
  function clearMarks() {
    rows().forEach(function (row) { row.classList.remove("drop-before", "drop-after"); });
  }
  function placement(event) {
    var row = event.target.closest(".layout-row");
    if (!row || row === dragged) { return null; }
    var box = row.getBoundingClientRect();
    return { row: row, before: event.clientY < box.top + box.height / 2 };
  }
  list.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    clearMarks();
    var place = placement(event);
    if (place) { place.row.classList.add(place.before ? "drop-before" : "drop-after"); }
  });
  list.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    var place = placement(event);
    clearMarks();
    if (!place) { return; }
    list.insertBefore(dragged, place.before ? place.row : place.row.nextElementSibling);
    refreshButtons();
    save();
  });
  list.addEventListener("dragend", function () {
    clearMarks();
    if (dragged) { dragged.classList.remove("dragging"); dragged.removeAttribute("draggable"); }
    dragged = null;
  });
})();
