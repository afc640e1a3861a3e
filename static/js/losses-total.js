// The losses step's running total, while typing. Progressive enhancement: the server draws the
// same total with the page (LossesForm.total_display) and checks every amount on submission;
// this only keeps the number up to date. Amounts are summed in whole minor units (no floats).
(function () {
  "use strict";

  // The page's language decides the separators, as the server reads them (claims.money):
  // "1,234.50" in English, "1.234,50" in Spanish and German, "1 234,50" in French.
  var lang = document.documentElement.lang || "en";
  var decimal = (1.5).toLocaleString(lang).charAt(1);
  var group = decimal === "," ? "." : ",";

  // The currency's own signs, as the server reads them (claims.money.currency_signs, longest
  // first): one before or after the amount. Any other currency's sign is not an amount.
  var signs = [];

  function minorUnits(text, places) {
    var value = text.replace(/[\s\u00a0\u202f]+/g, " ").trim();
    for (var i = 0; i < signs.length; i++) {
      var sign = signs[i];
      if (value.indexOf(sign) === 0) { value = value.slice(sign.length); break; }
      if (value.length > sign.length && value.slice(-sign.length) === sign) {
        value = value.slice(0, -sign.length);
        break;
      }
    }
    value = value.replace(/ /g, "");
    if (!value) return 0;
    var pattern = new RegExp("^(\\d{1,3}(?:\\" + group + "\\d{3})+|\\d+)(?:\\" + decimal + "(\\d*))?$");
    var match = pattern.exec(value);
    if (!match) return null;
    var fraction = match[2] || "";
    if (fraction.length > places) return null;
    while (fraction.length < places) fraction += "0";
    return parseInt(match[1].split(group).join("") + fraction, 10);
  }

  function format(minor, currency, places) {
    var text = String(minor);
    while (text.length <= places) text = "0" + text;
    var whole = places ? text.slice(0, -places) : text;
    // A decimal string, never a float: Intl formats it exactly.
    var amount = whole + (places ? "." + text.slice(-places) : "");
    return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(amount);
  }

  function start() {
    var output = document.getElementById("losses-total");
    if (!output) return;
    var places = parseInt(output.dataset.places, 10) || 0;
    var currency = output.dataset.currency || "USD";
    try { signs = JSON.parse(output.dataset.signs || "[]"); } catch (error) { signs = []; }
    var inputs = (output.getAttribute("for") || "").split(/\s+/)
      .map(function (id) { return id && document.getElementById(id); })
      .filter(Boolean);
    function update() {
      var total = 0;
      inputs.forEach(function (input) {
        var minor = minorUnits(input.value, places);
        if (minor) total += minor;
      });
      output.textContent = format(total, currency, places);
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
