// Fill empty time-zone fields with the browser's own zone: a worker's exposure day
// follows their clock from the first login, and the wellbeing form starts from it.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  var fields = document.querySelectorAll("input[data-browser-zone]");
  for (var i = 0; i < fields.length; i++) if (!fields[i].value) fields[i].value = zone;
})();
