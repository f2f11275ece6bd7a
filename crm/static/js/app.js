// Progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Forms with data-confirm ask before they submit (e.g. deactivate, archive).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();

// Print buttons (the report pages): no inline handlers under the CSP.
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest(".js-print")) {
    window.print();
  }
});
