// "Create canvas" offers the template's name as the title: choosing another template changes the title with it,
// unless a title of one's own was typed. (Left blank, the server takes the template's name too.)
(function () {
  "use strict";
  document.querySelectorAll("input[data-default-titles]").forEach(function (input) {
    var titles = JSON.parse(input.getAttribute("data-default-titles"));
    var offered = Object.keys(titles).map(function (kind) { return titles[kind]; });
    var kind = input.form && input.form.elements.kind;
    if (!kind) { return; }
    kind.addEventListener("change", function () {
      if (!input.value.trim() || offered.indexOf(input.value) >= 0) { input.value = titles[kind.value] || ""; }
    });
  });
})();
