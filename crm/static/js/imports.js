// Import pages: run the row check in short steps with a progress bar, and show that a commit runs.
// Without this file the check runs in one longer request per button press.
(function () {
  "use strict";
  var form = document.querySelector("form[data-import-steps]");
  if (form && window.fetch && window.FormData) {
    var bar = form.querySelector("progress");
    var text = form.querySelector("[data-progress-text]");
    var failure = form.querySelector("[data-progress-error]");
    var button = form.querySelector("button[type=submit]");
    var step = function () {
      var data = new FormData(form);
      data.append("js", "1");
      return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                                  headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (state) {
          bar.max = state.total;
          bar.value = state.done;
          text.textContent = state.done.toLocaleString("de-DE") + " / " + state.total.toLocaleString("de-DE");
          if (state.finished) { window.location.assign(state.next); return null; }
          return step();
        });
    };
    var run = function (event) {
      if (event) { event.preventDefault(); }
      button.disabled = true;
      failure.classList.add("d-none");
      step().catch(function () {
        failure.classList.remove("d-none");
        button.disabled = false;
      });
    };
    form.addEventListener("submit", run);
    run(null);  // start right away; the button stays for a retry
  }
  var busy = document.querySelectorAll("form[data-import-busy]");
  Array.prototype.forEach.call(busy, function (commitForm) {
    commitForm.addEventListener("submit", function () {
      var submit = commitForm.querySelector("button[type=submit]");
      var note = commitForm.querySelector("[data-busy-text]");
      window.setTimeout(function () { submit.disabled = true; }, 0);
      if (note) { note.classList.remove("d-none"); }
    });
  });
})();
