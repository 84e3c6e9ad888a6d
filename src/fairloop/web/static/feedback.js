// Human-feedback task pages (rate, compare, rank, write, converse): build the answer
// JSON that the form posts, keep a draft in localStorage, and the keyboard shortcuts.
// Set up through task.js's fairloop.onPage, so it runs again on a next item loaded in place.
window.fairloop.onPage(function (signal) {
  "use strict";
  var form = document.getElementById("task-form");
  if (!form || !form.classList.contains("feedback")) return;
  var type = form.dataset.type;
  var draftKey = "fairloop-draft-" + form.dataset.assignment;
  var errorBox = document.getElementById("form-error");
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function msg(name, values) {
    var text = form.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(values[k])); });
    return text;
  }
  function checked(name) { var el = form.querySelector('input[name="' + name + '"]:checked'); return el ? el.value : null; }
  function typing(target) { return target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type === "text")); }

  // ---- answers, one builder per type; each returns [answer, error or null] ----
  var builders = {
    rate: function () {
      var ratings = {}, missing = false;
      $all("fieldset.scale").forEach(function (fs) {
        var v = checked("rating-" + fs.dataset.criterion);
        if (v === null) missing = true; else ratings[fs.dataset.criterion] = parseInt(v, 10);
      });
      var answer = { ratings: ratings, flags: $all('input[name="flag"]:checked').map(function (e) { return e.value; }), comment: $("#comment").value };
      if (missing) return [answer, msg("incomplete")];
      if ($("#comment").dataset.required && !answer.comment.trim()) return [answer, msg("incomplete")];
      return [answer, null];
    },
    compare: function () {
      var preferred = checked("preferred"), strength = checked("strength");
      var answer = { preferred: preferred, rationale: $("#rationale").value, criteria: {} };
      if (preferred !== "tie" && strength !== null) answer.strength = parseInt(strength, 10);
      $all("fieldset.criterion").forEach(function (fs) {
        var v = checked("criterion-" + fs.dataset.criterion);
        if (v !== null) answer.criteria[fs.dataset.criterion] = v;
      });
      if (preferred === null || (preferred !== "tie" && strength === null)) return [answer, msg("incomplete")];
      var r = $("#rationale");
      if (r.dataset.required && r.value.trim().length < Math.max(1, parseInt(r.dataset.min || "0", 10))) return [answer, msg("rationale")];
      return [answer, null];
    },
    rank: function () {
      var order = [];
      $all("#ranking .rank-item").forEach(function (li) {
        if (li.dataset.tied === "1" && order.length) {
          var last = order[order.length - 1];
          order[order.length - 1] = (Array.isArray(last) ? last : [last]).concat([li.dataset.id]);
        } else order.push(li.dataset.id);
      });
      var why = $("#rationale");
      // The order shown is random: submitted untouched it says nothing, so it is refused.
      if (ranking.dataset.touched !== "1") return [why ? { order: order, rationale: why.value } : { order: order }, msg("untouched")];
      if (!why) return [{ order: order }, null];
      return [{ order: order, rationale: why.value }, why.value.trim() ? null : msg("rationale")];
    },
    write: function () {
      var t = $("#text"), n = t.value.trim().length, fields = {};
      var min = parseInt(t.dataset.min, 10), max = parseInt(t.dataset.max, 10);
      var answer = { text: t.value };
      var extra = $all(".extra-field");
      extra.forEach(function (el) { fields[el.dataset.name] = el.value; });
      if (extra.length) answer.fields = fields;
      if (n < min || n > max) return [answer, msg("length", { min: min, max: max, n: n })];
      if (extra.some(function (el) { return el.dataset.required && !el.value.trim(); })) return [answer, msg("incomplete")];
      return [answer, null];
    },
    converse: function () {
      var turns = converse.messages(), box = $("#turns");
      var min = parseInt(box.dataset.min, 10), max = parseInt(box.dataset.max, 10);
      var ok = turns.length >= min && turns.length <= max && turns.length % 2 === 0;
      return [{ messages: turns }, ok ? null : msg("turns", { min: min, max: max, n: turns.length })];
    }
  };

  // ---- converse: turns as bubbles, each editable ----
  var converse = {
    box: $("#turns"),
    messages: function () {
      return $all("#turns li").map(function (li) { return { role: li.dataset.role, content: $("textarea", li).value }; });
    },
    add: function (role, content) {
      var li = document.createElement("li");
      li.className = "bubble " + role;
      li.dataset.role = role;
      var label = document.createElement("span");
      label.className = "role";
      label.textContent = msg(role);
      var area = document.createElement("textarea");
      area.rows = 2;
      area.value = content;
      area.setAttribute("aria-label", msg(role));
      li.appendChild(label);
      li.appendChild(area);
      converse.box.appendChild(li);
      converse.refresh();
    },
    nextRole: function () { return $all("#turns li").length % 2 === 0 ? "user" : "assistant"; },
    refresh: function () {
      var label = $("#turn-label"), n = $all("#turns li").length;
      if (label) label.textContent = label.dataset[converse.nextRole()];
      var count = $("#turn-count");
      if (count) count.textContent = n + " / " + converse.box.dataset.max;
    }
  };
  if (type === "converse") {
    var addTurn = function () {
      var area = $("#turn");
      if (!area.value.trim()) { area.focus(); return; }
      converse.add(converse.nextRole(), area.value);
      area.value = "";
      area.focus();
      save();
    };
    $("#add-turn").addEventListener("click", addTurn);
    $("#remove-turn").addEventListener("click", function () {
      var items = $all("#turns li");
      if (items.length) { items[items.length - 1].remove(); converse.refresh(); save(); }
    });
    $("#turn").addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.shiftKey) { e.preventDefault(); e.stopPropagation(); addTurn(); }
    });
    converse.refresh();
  }

  // ---- rank: buttons (touch), drag and keyboard; a first touch is required ----
  var ranking = $("#ranking");
  var touchedKey = draftKey + "-touched";
  function touch() {
    ranking.dataset.touched = "1";
    try { localStorage.setItem(touchedKey, "1"); } catch (err) { /* storage full or off */ }
  }
  function renumber(moved) {
    var place = 0, items = $all("#ranking .rank-item");
    items.forEach(function (li, i) {
      if (i === 0) li.dataset.tied = "0";
      if (li.dataset.tied !== "1") place = i + 1;
      $(".place", li).textContent = String(place);
      $(".tie-mark", li).hidden = li.dataset.tied !== "1";
      var up = $('[data-move="up"]', li), down = $('[data-move="down"]', li), tie = $('[data-move="tie"]', li);
      if (up) up.disabled = i === 0;
      if (down) down.disabled = i === items.length - 1;
      if (tie) { tie.disabled = i === 0; tie.setAttribute("aria-pressed", li.dataset.tied === "1" ? "true" : "false"); }
    });
    if (moved) $("#rank-status").textContent = msg("moved", { place: $(".place", moved).textContent });
  }
  function move(li, how) {
    var prev = li.previousElementSibling, next = li.nextElementSibling;
    if (how === "up" && prev) ranking.insertBefore(li, prev);
    else if (how === "down" && next) ranking.insertBefore(next, li);
    else if (how === "tie" && ranking.dataset.ties === "1") li.dataset.tied = li.dataset.tied === "1" ? "0" : "1";
    touch(); renumber(li); save();
  }
  if (ranking) {
    var dragged = null;
    ranking.addEventListener("dragstart", function (e) { dragged = e.target.closest(".rank-item"); if (e.dataTransfer) e.dataTransfer.effectAllowed = "move"; });
    ranking.addEventListener("dragover", function (e) {
      var over = e.target.closest && e.target.closest(".rank-item");
      if (!dragged || !over || over === dragged) return;
      e.preventDefault();
      var rect = over.getBoundingClientRect();
      ranking.insertBefore(dragged, e.clientY > rect.top + rect.height / 2 ? over.nextSibling : over);
    });
    ranking.addEventListener("drop", function (e) { e.preventDefault(); touch(); renumber(dragged); save(); dragged = null; });
    ranking.addEventListener("dragend", function () { renumber(dragged); dragged = null; });
    ranking.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("button[data-move]");
      if (!button) return;
      var li = button.closest(".rank-item");
      move(li, button.dataset.move);
      // Keep the finger (and the focus) on the response's button as the response moves.
      var again = $('[data-move="' + button.dataset.move + '"]', li);
      (again && !again.disabled ? again : li).focus();
    });
    ranking.addEventListener("keydown", function (e) {
      var li = e.target.closest && e.target.closest(".rank-item");
      if (!li || e.target !== li) return;
      var prev = li.previousElementSibling, next = li.nextElementSibling;
      if (e.key === "ArrowUp" || e.key === "ArrowDown") {
        e.preventDefault();
        var up = e.key === "ArrowUp";
        if (e.shiftKey) { move(li, up ? "up" : "down"); li.focus(); }
        else if (up && prev) prev.focus(); else if (!up && next) next.focus();
      } else if (e.key === "=" && ranking.dataset.ties === "1") {
        e.preventDefault();
        move(li, "tie");
      }
    });
    var keep = $("#rank-keep");
    if (keep) keep.addEventListener("click", function () {
      touch();
      $("#rank-status").textContent = msg("kept");
      if (!errorBox.hidden) errorBox.hidden = true;
    });
    try { if (localStorage.getItem(touchedKey) === "1") ranking.dataset.touched = "1"; } catch (err) { /* storage off */ }
  }

  // ---- rate and compare: letters and digits ----
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (type === "rate" && /^[0-9]$/.test(e.key)) {
      var fs = e.target.closest && e.target.closest("fieldset.scale");
      fs = fs || $all("fieldset.scale").filter(function (f) { return !f.querySelector("input:checked"); })[0];
      var input = fs && fs.querySelector('input[value="' + e.key + '"]');
      if (!input) return;
      e.preventDefault();
      input.checked = true;
      var scales = $all("fieldset.scale"), nextScale = scales[scales.indexOf(fs) + 1];
      (nextScale ? nextScale.querySelector("input") : $("#submit")).focus();
      save();
    } else if (type === "compare") {
      var key = e.key.toLowerCase();
      var pick = form.querySelector('input[name="preferred"][data-letter="' + key + '"]');
      if (pick) { e.preventDefault(); pick.checked = true; pick.focus(); save(); return; }
      var strength = /^[1-9]$/.test(e.key) && $("#strength-" + e.key);
      if (strength) { e.preventDefault(); strength.checked = true; strength.focus(); save(); return; }
      if (key === "r") { e.preventDefault(); $("#rationale").focus(); }
    }
  }, { capture: true, signal: signal });
  // Ctrl+Enter submits from inside a text box (Ctrl+Shift+Enter on the converse page).
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    if (type === "converse" && !e.shiftKey) return;
    e.preventDefault();
    form.requestSubmit();
  });

  // ---- the draft: saved on every change, restored on load, dropped by task.js once the
  // server has stored the submission ----
  function save() {
    try { localStorage.setItem(draftKey, JSON.stringify(builders[type]()[0])); } catch (err) { /* storage full or off */ }
  }
  function restore() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (err) { saved = null; }
    if (!saved) return;
    function tick(name, value) {
      var el = form.querySelector('input[name="' + name + '"][value="' + String(value).replace(/"/g, "") + '"]');
      if (el) el.checked = true;
    }
    if (type === "rate") {
      Object.keys(saved.ratings || {}).forEach(function (c) { tick("rating-" + c, saved.ratings[c]); });
      (saved.flags || []).forEach(function (f) { tick("flag", f); });
      $("#comment").value = saved.comment || "";
    } else if (type === "compare") {
      if (saved.preferred) tick("preferred", saved.preferred);
      if (saved.strength) tick("strength", saved.strength);
      Object.keys(saved.criteria || {}).forEach(function (c) { tick("criterion-" + c, saved.criteria[c]); });
      $("#rationale").value = saved.rationale || "";
    } else if (type === "rank" && Array.isArray(saved.order)) {
      if ($("#rationale")) $("#rationale").value = saved.rationale || "";
      saved.order.forEach(function (entry) {
        (Array.isArray(entry) ? entry : [entry]).forEach(function (id, i) {
          var li = $all("#ranking .rank-item").filter(function (x) { return x.dataset.id === id; })[0];
          if (li) { li.dataset.tied = i > 0 ? "1" : "0"; ranking.appendChild(li); }
        });
      });
    } else if (type === "write") {
      if (typeof saved.text === "string") $("#text").value = saved.text;
      $all(".extra-field").forEach(function (el) { el.value = (saved.fields || {})[el.dataset.name] || ""; });
    } else if (type === "converse") {
      (saved.messages || []).forEach(function (m) { converse.add(m.role, m.content); });
    }
  }
  restore();
  if (ranking) renumber(null);
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  var count = $("#text-count");
  if (count) {
    var showCount = function () { count.textContent = msg("count", { n: $("#text").value.trim().length }); };
    $("#text").addEventListener("input", showCount);
    showCount();
  }

  // Runs before task.js's own submit handler (capture on the document): an incomplete
  // answer stops here, with the reason shown, and the form stays usable.
  document.addEventListener("submit", function (e) {
    if (e.target !== form) return;
    var built = builders[type]();
    if (built[1]) {
      e.preventDefault();
      e.stopImmediatePropagation();
      errorBox.textContent = built[1];
      errorBox.hidden = false;
      return;
    }
    $("#answer").value = JSON.stringify(built[0]);
  }, { capture: true, signal: signal });
});
