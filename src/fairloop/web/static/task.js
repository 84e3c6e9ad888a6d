// Task page: keyboard choice, Enter to submit, and the time present that goes with it.
(function () {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form) return;
  // Time present, in milliseconds: the page counts while it is visible and the worker
  // is there (input within IDLE_MS, or reading: focused, within the spec's reading
  // window). The server credits what this count grew by between heartbeats, never more
  // than the wall time, so a dropped connection loses nothing once it is back.
  var presence = document.getElementById("presence");
  var IDLE_MS = 60000;
  var READING_MS = Math.max(IDLE_MS, Number(presence && presence.dataset.readingMs) || 120000);
  var TICK_MS = 1000;
  var present = 0;
  var lastInput = Date.now();
  var lastTick = Date.now();
  var asking = false;
  var stillThere = document.getElementById("still-there");
  function isPresent(now) {
    if (document.visibilityState !== "visible" || asking) return false;
    var quiet = now - lastInput;
    return quiet < IDLE_MS || (document.hasFocus() && quiet < READING_MS);
  }
  function ask() {
    // Past the reading window the page stops counting and says so, instead of falling
    // silent: the worker sees why, and one click counts them back in.
    asking = true;
    if (stillThere) stillThere.hidden = false;
  }
  function here() {
    lastInput = Date.now();
    if (!asking) return;
    asking = false;
    if (stillThere) stillThere.hidden = true;
  }
  setInterval(function () {
    var now = Date.now();
    // A sleeping laptop wakes to one long tick: count at most a few seconds of it.
    var step = Math.min(now - lastTick, 5 * TICK_MS);
    lastTick = now;
    if (isPresent(now)) present += step;
    else if (!asking && document.visibilityState === "visible" && now - lastInput >= READING_MS) ask();
  }, TICK_MS);
  ["keydown", "pointerdown", "pointermove", "scroll", "focus"].forEach(function (name) {
    window.addEventListener(name, function () { if (!asking) lastInput = Date.now(); }, { passive: true });
  });
  var hereButton = document.getElementById("still-here");
  if (hereButton) hereButton.addEventListener("click", here);
  var HEARTBEAT_MS = 15000;
  var csrfField = form.querySelector('input[name="csrf"]');
  var assignment = form.dataset.assignment ||
    ((form.getAttribute("action") || "").match(/assignments\/(\d+)/) || [])[1];
  function post(path, fields) {
    return fetch("/work/assignments/" + assignment + path, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString()
    });
  }
  var reported = -1;
  function heartbeat() {
    if (!assignment || !csrfField || present === reported) return;
    var count = present;
    post("/heartbeat", { csrf: csrfField.value, present_ms: String(count) })
      .then(function (r) {
        if (!r.ok) return null;
        reported = count;
        return r.json();
      })
      .then(function (body) { if (body && body.ended) leaseEnded(body.ended); })
      .catch(function () { /* offline: the count goes with the next one that arrives */ });
  }
  function leaseEnded(ended) {
    // The exposure budget or the break rule was reached mid-task: the lease ended on
    // the server (time paid, item returned), so the answer form goes away.
    var box = document.getElementById("lease-ended");
    var text = document.getElementById("lease-ended-text");
    if (text) text.textContent = ended.message || "";
    if (box) box.hidden = false;
    form.hidden = true;
    asking = true;
  }
  setInterval(heartbeat, HEARTBEAT_MS);
  window.addEventListener("online", heartbeat);
  var leaseEnds = document.getElementById("lease-ends");
  function showLeaseEnd(iso) {
    // People see their own time: the server's UTC shown in the browser's zone.
    var when = new Date(iso);
    if (!leaseEnds || isNaN(when)) return;
    leaseEnds.setAttribute("datetime", iso);
    leaseEnds.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  if (leaseEnds) showLeaseEnd(leaseEnds.getAttribute("datetime"));
  var moreTime = document.getElementById("more-time");
  if (moreTime) moreTime.addEventListener("click", function () {
    var done = document.getElementById("more-time-done");
    post("/extension", { csrf: csrfField.value })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (res.ok) showLeaseEnd(res.body.lease_expires_at);
        if (done) done.textContent = res.ok ? (moreTime.dataset.done || "") : ((res.body.error || {}).message || "");
      })
      .catch(function () { if (done) done.textContent = moreTime.dataset.offline || ""; });
  });
  function stamp() {
    var seconds = String(Math.ceil(present / 1000));
    var fields = document.querySelectorAll("#active-seconds, .active-seconds");
    for (var i = 0; i < fields.length; i++) fields[i].value = seconds;
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
