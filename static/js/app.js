// bizcanvas: small behaviours that need no framework. Loaded as a file (the CSP forbids inline scripts).
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (removing a member, leaving a team).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // Read-only token fields select their whole value on focus, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("token")) {
      event.target.select();
    }
  });
})();
