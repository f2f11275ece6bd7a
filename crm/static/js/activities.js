// Contact form enhancements: company suggestions as you type, due-date shortcuts, visit report.
// Without this file the page still works: the company search is a plain GET form.
(function () {
  "use strict";

  var input = document.querySelector("[data-company-search]");
  var results = document.getElementById("company-results");
  var hiddenId = document.getElementById("organisation_id");
  var searchForm = document.getElementById("company-search-form");
  var chosen = document.getElementById("chosen-company");
  var chosenName = document.getElementById("chosen-company-name");
  var choices = document.getElementById("participant-choices");
  var noParticipants = document.getElementById("no-participants");
  var timer = null;
  var lastQuery = "";
  var found = [];

  function clear(node) {
    while (node && node.firstChild) { node.removeChild(node.firstChild); }
  }

  function renderParticipants(contacts) {
    clear(choices);
    contacts.forEach(function (person, index) {
      var wrap = document.createElement("div");
      wrap.className = "form-check";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.name = "contact_person_ids";
      box.value = String(person.id);
      box.id = "contact_person_ids-" + index;
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = box.id;
      label.textContent = person.name;
      wrap.appendChild(box);
      wrap.appendChild(label);
      choices.appendChild(wrap);
    });
    if (noParticipants) {
      noParticipants.textContent = noParticipants.getAttribute("data-empty") || noParticipants.textContent;
      noParticipants.classList.toggle("d-none", contacts.length > 0);
    }
  }

  function pick(company) {
    hiddenId.value = String(company.id);
    chosenName.textContent = company.name;
    chosen.classList.remove("d-none");
    if (searchForm) { searchForm.classList.add("d-none"); }
    clear(results);
    renderParticipants(company.contacts || []);
    var subject = document.getElementById("subject");
    if (subject) { subject.focus(); }
  }

  function render(list) {
    found = list;
    clear(results);
    list.forEach(function (company) {
      var item = document.createElement("li");
      item.className = "list-group-item list-group-item-action p-0";
      var link = document.createElement("a");
      link.className = "d-block px-3 py-2 text-decoration-none";
      link.href = "?organisation_id=" + encodeURIComponent(company.id);
      link.setAttribute("data-company-id", String(company.id));
      link.textContent = company.name + (company.city ? " · " + company.city : "");
      item.appendChild(link);
      results.appendChild(item);
    });
  }

  function search() {
    var q = input.value.trim();
    if (q === lastQuery) { return; }
    lastQuery = q;
    if (q.length < 2) { render([]); return; }
    fetch(input.getAttribute("data-company-search") + "?q=" + encodeURIComponent(q), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : { results: [] };
    }).then(function (data) {
      if (q === lastQuery) { render(data.results || []); }
    }).catch(function () { /* the Search button still works */ });
  }

  if (input && results && hiddenId) {
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 180);
    });
    results.addEventListener("click", function (event) {
      var link = event.target.closest("[data-company-id]");
      if (!link) { return; }
      var id = Number(link.getAttribute("data-company-id"));
      var company = found.filter(function (c) { return c.id === id; })[0];
      if (company) {
        event.preventDefault();
        pick(company);
      }
    });
    var change = document.getElementById("change-company");
    if (change) {
      change.addEventListener("click", function (event) {
        event.preventDefault();
        hiddenId.value = "";
        chosen.classList.add("d-none");
        if (searchForm) { searchForm.classList.remove("d-none"); }
        renderParticipants([]);
        input.focus();
      });
    }
  }

  // Due-date shortcuts: "tomorrow", "in a week", ... fill the date field.
  var shortcuts = document.getElementById("due-shortcuts");
  var due = document.getElementById("follow_up_due_on");
  if (shortcuts && due) {
    shortcuts.classList.remove("d-none");
    shortcuts.addEventListener("click", function (event) {
      var button = event.target.closest("[data-due-days]");
      if (!button) { return; }
      var day = new Date();
      day.setDate(day.getDate() + Number(button.getAttribute("data-due-days")));
      var month = String(day.getMonth() + 1).padStart(2, "0");
      var date = String(day.getDate()).padStart(2, "0");
      due.value = day.getFullYear() + "-" + month + "-" + date;
    });
  }

  // A visit opens the visit report.
  var report = document.getElementById("visit-report");
  document.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (report && radio.checked && radio.value === "visit") { report.open = true; }
    });
  });
})();
