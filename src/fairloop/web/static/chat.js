// Red-team chat: send a message, show the model's reply as it streams in, retry on failure.
// A message written offline stays in the box (and in this browser) and is sent once the
// connection is back. Set up through task.js's fairloop.onPage (again on an item loaded
// in place).
window.fairloop.onPage(function (signal) {
  "use strict";
  var form = document.getElementById("chat-form");
  if (!form) return;
  var chat = document.getElementById("chat");
  var input = document.getElementById("message");
  var send = document.getElementById("send");
  var retry = document.getElementById("retry");
  var status = document.getElementById("chat-status");
  var left = document.getElementById("turns-left");
  var max = parseInt(form.dataset.max, 10);
  var sent = parseInt(form.dataset.sent, 10);
  var collapse = chat.dataset.collapse === "1";
  var warnText = document.getElementById("warn-text").innerHTML;

  function bubble(role, text) {
    var li = document.createElement("li");
    li.className = "bubble " + role;
    var label = document.createElement("span");
    label.className = "role";
    label.textContent = role === "user" ? form.dataset.msgYou : form.dataset.msgModel;
    li.appendChild(label);
    var body = document.createElement("div");
    body.className = "text";
    body.textContent = text;
    if (role === "assistant" && collapse) {
      var details = document.createElement("details");
      details.className = "warned";
      var summary = document.createElement("summary");
      summary.textContent = new DOMParser().parseFromString(warnText, "text/html").body.textContent;
      details.appendChild(summary);
      details.appendChild(body);
      li.appendChild(details);
    } else {
      li.appendChild(body);
    }
    chat.appendChild(li);
    return body;
  }

  function busy(on) {
    send.disabled = on || sent >= max;
    input.disabled = on || sent >= max;
  }

  function fail(message) {
    status.textContent = message;
    status.className = "status error";
    retry.hidden = false;
  }

  async function turn(payload) {
    busy(true);
    retry.hidden = true;
    status.className = "status";
    status.textContent = form.dataset.msgAnswering || "";
    var reply = null, response = null;
    sending = true;
    try {
      response = await fetch("/work/assignments/" + form.dataset.assignment + "/turns", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
        body: JSON.stringify(payload),
        credentials: "same-origin"
      });
    } catch (e) {
      // Nothing reached the server: the message stays in the box and goes when the
      // connection is back (a retry waits the same way).
      sending = false;
      queued = payload;
      status.textContent = form.dataset.msgOffline || "";
      status.className = "status error";
      busy(payload.retry === true);
      retry.hidden = payload.retry !== true;
      return false;
    }
    sending = false;
    try {
      if (!response.ok) {
        var err = await response.json().catch(function () { return {}; });
        status.textContent = (err.error && err.error.message) || form.dataset.msgFailed || "";
        status.className = "status error";
        busy(false);
        return false;
      }
      if (payload.content !== undefined) {
        forget();
        bubble("user", payload.content);
        sent += 1;
        left.textContent = String(max - sent);
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffered = "";
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buffered += decoder.decode(chunk.value, { stream: true });
        var lines = buffered.split("\n");
        buffered = lines.pop();
        for (var i = 0; i < lines.length; i++) {
          if (!lines[i]) continue;
          var event = JSON.parse(lines[i]);
          if (event.delta !== undefined) {
            if (reply === null) reply = bubble("assistant", "");
            reply.textContent += event.delta;
          } else if (event.error) {
            if (reply !== null) reply.closest("li").remove();
            fail(event.error.message);
            busy(true);
            return true;
          } else if (event.done) {
            if (reply === null) reply = bubble("assistant", "");
            reply.textContent = event.done.content;
            status.textContent = "";
          }
        }
      }
    } catch (e) {
      // The message is stored; the reply was cut off: asked again once back online.
      if (reply !== null) reply.closest("li").remove();
      queued = { retry: true };
      fail(form.dataset.msgDropped || "");
      busy(true);
      return true;
    }
    busy(false);
    return true;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (await turn({ content: text })) input.value = "";
  });
  retry.addEventListener("click", function () { queued = null; turn({ retry: true }); });
  if (form.dataset.pending === "1") fail(form.dataset.msgPending || "");
  busy(form.dataset.pending === "1");

  // ---- offline: the message box kept in this browser, the queued turn sent on reconnect ----
  var queued = null, sending = false;
  var draftKey = "fairloop-chat-" + form.dataset.assignment;
  function forget() { try { localStorage.removeItem(draftKey); } catch (e) { /* nothing kept */ } }
  if (!input.value) {
    try { input.value = localStorage.getItem(draftKey) || ""; } catch (e) { /* storage off */ }
  }
  input.addEventListener("input", function () {
    try { localStorage.setItem(draftKey, input.value); } catch (e) { /* storage full or off */ }
  });
  function resend() {
    if (!queued || sending) return;
    var payload = queued;
    queued = null;
    if (payload.retry) { turn(payload); return; }
    var text = input.value.trim();
    if (!text) return;
    turn({ content: text }).then(function (ok) { if (ok) input.value = ""; });
  }
  window.addEventListener("online", resend, { signal: signal });
  var again = setInterval(resend, 10000);
  signal.addEventListener("abort", function () { clearInterval(again); });
});
