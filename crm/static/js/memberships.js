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
  // A SEPA file just made: download it once, then drop ?download= so a reload does not repeat it.
  var download = document.querySelector("a[data-auto-download]");
  if (download) {
    var url = new URL(window.location.href);
    url.searchParams.delete("download");
    window.history.replaceState(null, "", url.toString());
    download.click(); // the link's download attribute: a download, not a navigation
  }
  var next = document.querySelector("form[data-autosubmit]");
  if (next) {
    window.setTimeout(function () { next.submit(); }, 50);
  }
})();
