// The losses step's running total, while typing. Progressive enhancement: the server draws the
// same total with the page (LossesForm.total_display) and checks every amount on submission;
// this only keeps the number up to date. Amounts are summed in whole minor units (no floats).
(function () {
  "use strict";

  function minorUnits(text, places) {
    // "1,234.50", "$1,234.50", "1234.5": the shapes the server reads; anything else counts 0.
    var value = text.replace(/[\s$£€]|CA\$|US\$/g, "");
    if (!value) return 0;
    var match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/.exec(value);
    if (!match) return null;
    var fraction = match[2] || "";
    if (fraction.length > places) return null;
    while (fraction.length < places) fraction += "0";
    return parseInt(match[1].replace(/,/g, "") + fraction, 10);
  }

  function format(minor, symbol, places) {
    var text = String(minor);
    while (text.length <= places) text = "0" + text;
    var whole = places ? text.slice(0, -places) : text;
    var fraction = places ? "." + text.slice(-places) : "";
    return symbol + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + fraction;
  }

  function start() {
    var output = document.getElementById("losses-total");
    if (!output) return;
    var places = parseInt(output.dataset.places, 10) || 0;
    var symbol = output.dataset.symbol || "";
    var inputs = (output.getAttribute("for") || "").split(/\s+/)
      .map(function (id) { return id && document.getElementById(id); })
      .filter(Boolean);
    function update() {
      var total = 0;
      inputs.forEach(function (input) {
        var minor = minorUnits(input.value, places);
        if (minor) total += minor;
      });
      output.textContent = format(total, symbol, places);
    }
    // The server's total stands until the customer types.
    inputs.forEach(function (input) { input.addEventListener("input", update); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
