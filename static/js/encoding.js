// The encoding picker of a dataset page: choosing another encoding asks the preview API for the file's first rows
// decoded in it, and redraws the preview table and the column choices of the mapping (with the mapping proposed).
(function () {
  "use strict";
  var table = document.getElementById("dataset-preview");
  var select = document.querySelector("select[name=encoding]");
  if (!table || !select) { return; }
  var status = document.getElementById("dataset-preview-status");
  var roles = ["user_id", "timestamp", "event", "amount", "quantity", "product", "channel"];

  function cells(tag, values) {
    var row = document.createElement("tr");
    values.forEach(function (value) {
      var cell = document.createElement(tag);
      cell.textContent = value;
      row.appendChild(cell);
    });
    return row;
  }

  function redraw(body) {
    table.tHead.replaceChildren(cells("th", body.columns));
    table.tBodies[0].replaceChildren.apply(table.tBodies[0], body.rows.slice(0, 10).map(function (row) { return cells("td", row); }));
    roles.forEach(function (role) {
      var choice = select.form.elements[role];
      if (!choice) { return; }
      var options = [new Option("—", "")].concat(body.columns.map(function (column) { return new Option(column, column); }));
      choice.replaceChildren.apply(choice, options);
      choice.value = (body.mapping && body.mapping[role]) || "";
    });
    status.textContent = table.getAttribute("data-decoded-text").replace("{encoding}", body.encoding);
  }

  select.addEventListener("change", function () {
    var url = table.getAttribute("data-preview-url") + "?encoding=" + encodeURIComponent(select.value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) { redraw(result.body); return; }
        status.textContent = result.body.detail || status.getAttribute("data-error-text");
      })
      .catch(function () { status.textContent = status.getAttribute("data-error-text"); });
  });
})();
