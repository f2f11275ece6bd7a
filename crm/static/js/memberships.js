// Fee run in chunks: with JavaScript the browser posts one chunk after the other and shows the
// progress; without it the first POST creates every fee at once.
(function () {
  "use strict";
  var start = document.querySelector("form[data-fee-run]");
  if (start) {
    start.addEventListener("submit", function () {
      start.querySelector("input[name=batch]").value = start.getAttribute("data-batch");
    });
  }
  var next = document.querySelector("form[data-autosubmit]");
  if (next) {
    window.setTimeout(function () { next.submit(); }, 50);
  }
})();
