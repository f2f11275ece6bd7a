// Acquisition board: drag a card onto another column to change its stage. Without this script
// every card has its own small form (phase + "Verschieben"); the script only fills and sends it.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) { return; }
  var NEEDS_REASON = ["dormant", "lost"];
  var dragged = null;

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card || !card.querySelector("form.board-move")) { return; }
    dragged = card;
    card.classList.add("board-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-org"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("board-dragging"); }
    dragged = null;
    board.querySelectorAll(".board-drop").forEach(function (c) { c.classList.remove("board-drop"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!dragged || !column) { return; }
    event.preventDefault();
    column.classList.add("board-drop");
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("board-drop"); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!dragged || !column) { return; }
    event.preventDefault();
    var stage = column.getAttribute("data-stage");
    var form = dragged.querySelector("form.board-move");
    var select = form.querySelector("select[name=stage]");
    if (select.value === stage) { return; }
    select.value = stage;
    var reason = form.querySelector("input[name=reason]");
    if (NEEDS_REASON.indexOf(stage) !== -1 && !reason.value.trim()) {
      // A reason is required: leave the card where it is and ask for it in its form.
      reason.classList.add("is-invalid");
      reason.focus();
      return;
    }
    column.querySelector(".board-cards").appendChild(dragged);
    form.submit();
  });
})();
