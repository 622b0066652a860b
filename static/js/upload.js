// Dataset upload: drop a file on the form or pick one; it is sent to the API with a progress bar, then the page
// moves to the new dataset. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-api]");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var bar = form.querySelector("progress");
  var status = form.querySelector("[data-upload-status]");
  var failure = form.querySelector("[data-upload-error]");

  // Why the upload was refused, as an error beside the drop zone (the status line only says how far it got).
  function fail(message) {
    bar.hidden = true;
    status.textContent = "";
    failure.textContent = message;
    failure.hidden = false;
  }

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  ["dragenter", "dragover"].forEach(function (name) {
    form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dropping"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    form.addEventListener(name, function () { form.classList.remove("dropping"); });
  });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) { input.files = event.dataTransfer.files; }
  });

  form.addEventListener("submit", function (event) {
    if (!input.files.length) { return; }
    event.preventDefault();
    var data = new FormData();
    data.append("venture", form.getAttribute("data-venture"));
    data.append("name", (form.elements.name && form.elements.name.value) || "");
    data.append("file", input.files[0]);
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("data-upload-api"));
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    failure.hidden = true;
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) { bar.value = Math.round(progress.loaded * 100 / progress.total); }
    });
    request.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (ignored) { body = {}; }
      if (request.status === 201) {
        window.location.href = form.getAttribute("data-dataset-url").replace("/0/", "/" + body.id + "/");
        return;
      }
      fail(body.detail || (body.file && body.file.join(" ")) || form.getAttribute("data-error-text"));
    });
    request.addEventListener("error", function () { fail(form.getAttribute("data-error-text")); });
    request.send(data);
  });
})();
