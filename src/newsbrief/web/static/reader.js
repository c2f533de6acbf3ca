// Progressive touches only: the reader works the same without this file.
"use strict";
(function () {
  // Show <time> elements as "3 hours ago" (the full date stays in the tooltip).
  var units = [["year", 31536e6], ["month", 2592e6], ["week", 6048e5], ["day", 864e5],
               ["hour", 36e5], ["minute", 6e4]];
  var fmt = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat("en", {numeric: "auto"}) : null;
  function relative(date) {
    var diff = date.getTime() - Date.now();
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(diff) >= units[i][1] || units[i][0] === "minute") {
        return fmt.format(Math.round(diff / units[i][1]), units[i][0]);
      }
    }
    return "";
  }
  function humanise() {
    if (!fmt) return;
    var times = document.querySelectorAll(".story-card time, .hits time");
    for (var i = 0; i < times.length; i++) {
      var t = times[i], d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d.getTime()) && Math.abs(Date.now() - d.getTime()) < 30 * 864e5) {
        t.title = d.toLocaleString();
        t.textContent = relative(d);
      }
    }
  }
  // Ingest can take a few seconds: stop double submits and say that work is going on.
  function guardForms() {
    var forms = document.querySelectorAll("form.ingest");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (event) {
        var button = event.target.querySelector("button[type=submit]");
        if (button) { button.disabled = true; button.textContent = "Adding…"; }
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () { humanise(); guardForms(); });
})();
