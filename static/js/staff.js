// Staff pages: the header's "Menu", and the focus on a refused form's error summary.
// Staff header: on a narrow screen the areas and the account fold behind one "Menu" button
// (templates/staff/base.html; static/css/staff.css decides what folds, and from what width).
// Loaded in <head> without defer, so the page is marked before it is drawn. Without this file
// nothing folds: every link is shown, as on a desktop.
(function () {
  "use strict";
  document.documentElement.classList.add("staff-menu-js");

  function regions(button) {
    return (button.getAttribute("aria-controls") || "").split(/\s+/)
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  // The button is a <button>: Enter and Space click it, so one listener serves mouse, touch and
  // keyboard. Delegated from the document, since the header is not parsed yet.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".staff-menu-toggle");
    if (button) { setOpen(button, button.getAttribute("aria-expanded") !== "true"); }
  });

  // Escape, from the button or from inside the open menu, closes it and gives the focus back to
  // the button (not from the search box, where Escape clears what was typed).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var button = document.querySelector(".staff-menu-toggle[aria-expanded='true']");
    if (!button || !button.getClientRects().length) { return; }  // a wide screen: no menu
    var here = document.activeElement;
    var inside = here === button || regions(button).some(function (r) { return r.contains(here); });
    if (!inside) { return; }
    setOpen(button, false);
    button.focus();
  });

  // A refused form: the page (or the part htmx swapped in) shows one error summary
  // (templates/backoffice/_errors.html); the focus goes to the first, so that a keyboard or
  // screen-reader user starts from what was wrong. Returns whether it moved the focus.
  function focusErrorSummary(root) {
    var summary = root.querySelector(".error-summary");
    if (!summary) { return false; }
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
    return true;
  }
  window.staffFocusErrorSummary = focusErrorSummary;

  // On a page's load, only while nothing has the focus: never taken from where the user put it.
  document.addEventListener("DOMContentLoaded", function () {
    var here = document.activeElement;
    if (here && here !== document.body && here !== document.documentElement) { return; }
    focusErrorSummary(document);
  });
})();
