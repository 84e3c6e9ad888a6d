// Task page: keyboard choice, Enter to submit, and the active time that goes with it.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form) return;
  var active = 0;
  var lastInput = Date.now();
  var IDLE_MS = 60000;
  // Count a second only while the page is visible and the worker did something recently.
  setInterval(function () {
    if (document.visibilityState === "visible" && Date.now() - lastInput < IDLE_MS) active += 1;
  }, 1000);
  ["keydown", "pointerdown", "pointermove", "scroll", "focus"].forEach(function (name) {
    window.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
  });
  // Heartbeats: the server adds up the gaps between the ones it receives (capped), and
  // that sum, not the counter above, is the time paid. Sent only while the page is
  // visible and the worker did something (keyboard, pointer, focus) within IDLE_MS.
  var HEARTBEAT_MS = 15000;
  var csrfField = form.querySelector('input[name="csrf"]');
  var assignment = form.dataset.assignment ||
    ((form.getAttribute("action") || "").match(/assignments\/(\d+)/) || [])[1];
  function heartbeat() {
    if (document.visibilityState !== "visible" || Date.now() - lastInput >= IDLE_MS) return;
    if (!assignment || !csrfField) return;
    fetch("/work/assignments/" + assignment + "/heartbeat", {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: csrfField.value }).toString()
    }).catch(function () { /* offline: the next one credits at most its own gap */ });
  }
  setInterval(heartbeat, HEARTBEAT_MS);
  function stamp() {
    var fields = document.querySelectorAll("#active-seconds, .active-seconds");
    for (var i = 0; i < fields.length; i++) fields[i].value = String(active);
  }
  document.addEventListener("submit", stamp, true);
  var submitting = false;
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type === "text"))) return;
    if (/^[1-9]$/.test(event.key)) {
      var input = form.querySelector('input[data-key="' + event.key + '"]');
      if (input) {
        if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
        input.focus();
        event.preventDefault();
      }
    } else if (event.key === "Enter" && !(target && target.tagName === "BUTTON")) {
      event.preventDefault();
      if (form.reportValidity()) { stamp(); form.requestSubmit(); }
    }
  });
})();
