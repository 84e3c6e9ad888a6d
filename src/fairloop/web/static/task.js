// Task page: keyboard choice, Enter to submit, and the time present that goes with it;
// the answer kept until the server has it (queued while offline), and the next item
// loaded in place (the plain form post stays the fallback when scripts do not run).
(function () {
  "use strict";
  var fl = window.fairloop = window.fairloop || {};
  // Page scripts set themselves up through fairloop.onPage(setup): setup(signal) runs now
  // and again each time the next item is loaded in place; the signal aborts when that
  // page goes, so listeners added with { signal } and timers cleared on "abort" go too.
  var setups = [];
  var controller = new AbortController();
  fl.onPage = function (setup) {
    setups.push(setup);
    setup(controller.signal);
  };
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function show(html, url) {
    // The next page's <main>, title, header and language replace this page's; what it
    // needs that this page has not loaded (styles, scripts) is added, and every page
    // script's setup runs again on the new content.
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = doc.getElementById("main"), here = document.getElementById("main");
    if (!main || !here) { location.assign(url); return; }
    controller.abort();
    controller = new AbortController();
    document.title = doc.title;
    ["lang", "dir"].forEach(function (name) {
      var value = doc.documentElement.getAttribute(name);
      if (value === null) document.documentElement.removeAttribute(name);
      else document.documentElement.setAttribute(name, value);
    });
    var top = doc.querySelector("header.top"), oldTop = document.querySelector("header.top");
    if (top && oldTop) oldTop.replaceWith(document.importNode(top, true));
    here.replaceWith(document.importNode(main, true));
    history.pushState({ fairloop: "next" }, "", url);
    window.scrollTo(0, 0);
    setups.slice().forEach(function (setup) { setup(controller.signal); });
    each(doc.head.querySelectorAll('link[rel="stylesheet"]'), function (link) {
      var href = link.getAttribute("href");
      if (!document.head.querySelector('link[href="' + CSS.escape(href) + '"]')) document.head.appendChild(document.importNode(link, true));
    });
    each(doc.head.querySelectorAll("script[src]"), function (old) {
      var src = old.getAttribute("src");
      if (document.head.querySelector('script[src="' + CSS.escape(src) + '"]')) return;
      var script = document.createElement("script");
      script.src = src;
      script.async = false;
      document.head.appendChild(script);
    });
    var newMain = document.getElementById("main");
    if (document.activeElement === document.body && newMain) {
      newMain.setAttribute("tabindex", "-1");
      newMain.focus({ preventScroll: true });
    }
  }
  fl.next = function (result) {
    // After a stored submission: the page the server chose (a next item, "no more
    // work", a break) without a full page load; a failed fetch loads it the plain way.
    if (result.page) { show(result.page, result.next); return; }
    fetch(result.next, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text().then(function (html) { show(html, r.url); });
      })
      .catch(function () { location.assign(result.next); });
  };
  // Back to an item loaded in place: the server says where it stands now.
  window.addEventListener("popstate", function () { location.reload(); });
  fl.onPage(function (signal) {
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
  var ticker = setInterval(function () {
    var now = Date.now();
    // A sleeping laptop wakes to one long tick: count at most a few seconds of it.
    var step = Math.min(now - lastTick, 5 * TICK_MS);
    lastTick = now;
    if (isPresent(now)) present += step;
    else if (!asking && document.visibilityState === "visible" && now - lastInput >= READING_MS) ask();
  }, TICK_MS);
  signal.addEventListener("abort", function () { clearInterval(ticker); });
  ["keydown", "pointerdown", "pointermove", "scroll", "focus"].forEach(function (name) {
    window.addEventListener(name, function () { if (!asking) lastInput = Date.now(); }, { passive: true, signal: signal });
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
    if (text) text.textContent = endedText(box, ended);
    if (box) box.hidden = false;
    form.hidden = true;
    asking = true;
  }
  function endedText(box, ended) {
    // The page's own words for the limit (in the worker's language), with the time work
    // may go on in the worker's own zone and how far off it is: never an ISO timestamp.
    var words = box && box.getAttribute("data-msg-" + ended.code);
    var at = new Date(ended.resume_at || "");
    if (!words || isNaN(at)) return ended.message || "";
    var lang = document.documentElement.lang || [];
    var time;
    try {
      time = at.toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit", timeZone: box.getAttribute("data-zone") || undefined });
    } catch (e) {  // an unknown zone: the browser's own
      time = at.toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit" });
    }
    var minutes = Math.max(1, Math.round((at - Date.now()) / 60000));
    var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    var left = minutes < 90 ? rtf.format(minutes, "minute") : rtf.format(Math.round(minutes / 60), "hour");
    return words.replace("{time}", time).replace("{left}", left);
  }
  var beating = setInterval(heartbeat, HEARTBEAT_MS);
  signal.addEventListener("abort", function () { clearInterval(beating); });
  window.addEventListener("online", heartbeat, { signal: signal });
  var leaseEnds = document.getElementById("lease-ends");
  function showLeaseEnd(iso) {
    // People see their own time: the server's UTC shown in the browser's zone.
    var when = new Date(iso);
    if (!leaseEnds || isNaN(when)) return;
    leaseEnds.setAttribute("datetime", iso);
    leaseEnds.textContent = when.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
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
  document.addEventListener("submit", stamp, { capture: true, signal: signal });

  // ---- the answer: kept in this browser until the server has stored it ----
  // The page posts the form itself. Offline, the post waits in the page and goes when
  // the connection is back, under the same Idempotency-Key (the server's page:<id>), so
  // a resend crossing the first stores once. A refusal is shown at its field.
  var status = document.getElementById("submit-status");
  var errorBox = document.getElementById("form-error");
  var FORM_DRAFT = "fairloop-form-" + assignment;
  var outbox = null, sending = false;
  function say(name) { if (status) status.textContent = name ? (status.dataset[name] || "") : ""; }
  function forget() {
    ["fairloop-form-", "fairloop-draft-", "fairloop-chat-"].forEach(function (prefix) {
      try { localStorage.removeItem(prefix + assignment); } catch (err) { /* nothing kept */ }
    });
  }
  var ALIASES = { order: "#ranking", messages: "#turns", media_id: "#recorder" };
  function fieldFor(field) {
    // "answer.ratings.honesty" -> the honesty scale, "answer.hazards" -> the hazard boxes.
    var parts = String(field || "").replace(/\[\d+\]/g, "").split(".");
    if (parts[0] === "answer") parts.shift();
    var key = parts[0], sub = parts[1], tries = [];
    if (!key) return null;
    if (sub) tries.push('[data-criterion="' + CSS.escape(sub) + '"]', '.extra-field[data-name="' + CSS.escape(sub) + '"]');
    tries.push(ALIASES[key], "#" + CSS.escape(key), '[name="' + CSS.escape(key) + '"]', '[name="' + CSS.escape(key.replace(/s$/, "")) + '"]');
    for (var i = 0; i < tries.length; i++) {
      var el = tries[i] && (form.querySelector(tries[i]) || document.querySelector(tries[i]));
      if (!el) continue;
      if (el.type === "radio" || el.type === "checkbox") el = el.closest("fieldset") || el;
      return el;
    }
    return null;
  }
  function clearErrors() {
    each(document.querySelectorAll(".field-error"), function (p) { p.remove(); });
    each(document.querySelectorAll("[data-invalid]"), function (el) {
      el.removeAttribute("data-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    if (errorBox) errorBox.hidden = true;
  }
  function showError(error) {
    var text = (error && error.message) || (status && status.dataset.failed) || "";
    text = text.charAt(0).toUpperCase() + text.slice(1);
    var at = fieldFor(error && error.field);
    say("");
    if (!at) {
      if (errorBox) { errorBox.textContent = text; errorBox.hidden = false; }
      return;
    }
    var note = document.createElement("p");
    note.className = "error field-error";
    note.id = "field-error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    if (at.tagName === "FIELDSET") at.appendChild(note); else at.insertAdjacentElement("afterend", note);
    var control = at.matches("input, textarea, select") ? at : at.querySelector("input, textarea, select, [tabindex]");
    at.setAttribute("data-invalid", "1");
    at.setAttribute("aria-describedby", note.id);
    if (control && control !== at) { control.setAttribute("data-invalid", "1"); control.setAttribute("aria-describedby", note.id); }
    if (control) { control.setAttribute("aria-invalid", "true"); control.focus(); }
  }
  function send() {
    if (!outbox || sending) return;
    sending = true;
    say("sending");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: outbox
    })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { ok: r.ok, body: body }; });
      }, function () { return null; })
      .then(function (res) {
        sending = false;
        if (signal.aborted) return;
        if (res === null) { say("offline"); return; } // kept: sent again once back online
        outbox = null;
        if (res.ok && res.body.stored) { forget(); say(""); fl.next(res.body); return; }
        showError(res.body.error);
      });
  }
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    event.preventDefault();
    clearErrors();
    stamp();
    outbox = new URLSearchParams(new FormData(form)).toString();
    send();
  });
  window.addEventListener("online", send, { signal: signal });
  var resend = setInterval(send, 10000);
  signal.addEventListener("abort", function () { clearInterval(resend); });

  // ---- the draft of the plain task forms (label, review, red-team judgement, record);
  // the feedback pages keep theirs in feedback.js ----
  var NOT_KEPT = { csrf: 1, active_seconds: 1, task_type: 1, multiple: 1, answer: 1 };
  function kept() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !NOT_KEPT[el.name] && el.type !== "hidden" && el.type !== "submit";
    });
  }
  function saveForm() {
    var values = kept().filter(function (el) {
      return (el.type !== "radio" && el.type !== "checkbox") || el.checked;
    }).map(function (el) { return [el.name, el.value]; });
    try { localStorage.setItem(FORM_DRAFT, JSON.stringify(values)); } catch (err) { /* storage full or off */ }
  }
  function restoreForm() {
    var values = null;
    try { values = JSON.parse(localStorage.getItem(FORM_DRAFT) || "null"); } catch (err) { values = null; }
    if (!Array.isArray(values)) return;
    var fields = kept();
    values.forEach(function (pair) {
      fields.forEach(function (el) {
        if (el.name !== pair[0]) return;
        if (el.type === "radio" || el.type === "checkbox") { if (el.value === pair[1]) el.checked = true; }
        else el.value = pair[1];
      });
    });
  }
  if (!form.classList.contains("feedback")) {
    restoreForm();
    form.addEventListener("input", saveForm);
    form.addEventListener("change", saveForm);
  }
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
  }, { signal: signal });
  });
})();
// Focus on the first answer control once the page is up, and again when the next item
// is loaded in place: a keyboard worker answers at once, with no Tab through the header,
// the instructions and the item (7 Tabs before, 9 on review). A radio group's checked
// choice (a restored draft) is its first control. preventScroll keeps the item in view.
(function () {
  "use strict";
  var CONTROLS = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), ' +
    'textarea:not([disabled]), button:not([disabled]), [tabindex="0"]';
  function firstAnswer() {
    var area = document.querySelector("#chat-form, #recorder, #task-form");
    if (!area || area.closest("[hidden]")) return null;
    var all = area.querySelectorAll(CONTROLS);
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (!el.getClientRects().length) continue;
      if (el.type === "radio" && el.name) {
        var checked = area.querySelector('input[type="radio"][name="' + CSS.escape(el.name) + '"]:checked');
        if (checked) return checked;
      }
      return el;
    }
    return null;
  }
  function focusAnswer() {
    var active = document.activeElement;
    if (location.hash || (active && active !== document.body && active.id !== "main")) return;
    var el = firstAnswer();
    if (el) el.focus({ preventScroll: true });
  }
  // The first time after every page script has run (feedback.js restores the draft).
  var ready = document.readyState === "complete";
  if (ready) focusAnswer();
  else document.addEventListener("DOMContentLoaded", function () { ready = true; focusAnswer(); });
  var fl = window.fairloop;
  if (fl && fl.onPage) fl.onPage(function () { if (ready) setTimeout(focusAnswer, 0); });
})();
