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

  // Buttons with data-copy="<input id>" copy that input's value and say so for a moment.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    input.select();
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
