// Back office: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Submitting the filter form through htmx closes nothing and keeps the URL shareable; after
  // a partial swap, move focus to the results so screen-reader users hear the new page, or to
  // the summary of what was refused (a filter, a stale page link) when it swapped one in
  // (staff.js, which every staff page loads first).
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "results") {
      if (window.staffFocusErrorSummary && window.staffFocusErrorSummary(event.detail.target)) {
        return;
      }
      var status = event.detail.target.querySelector(".page-info");
      if (status) { status.setAttribute("tabindex", "-1"); status.focus(); }
    }
  });
})();
