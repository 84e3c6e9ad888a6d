// Recording: MediaRecorder with a level meter and the take's length; listen back,
// redo, then upload the take and submit. Offline, the take waits in the page and is
// uploaded once the connection is back. Set up through task.js's fairloop.onPage.
window.fairloop.onPage(function (signal) {
  "use strict";
  var box = document.getElementById("recorder");
  if (!box) return;
  var recordBtn = document.getElementById("record");
  var stopBtn = document.getElementById("stop");
  var redoBtn = document.getElementById("redo");
  var meter = document.getElementById("level");
  var length = document.getElementById("take-length");
  var playback = document.getElementById("playback");
  var status = document.getElementById("record-status");
  var mediaId = document.getElementById("media-id");
  var submit = document.getElementById("submit");
  var minSeconds = parseFloat(box.dataset.min);
  var maxSeconds = parseFloat(box.dataset.max);
  var recorder = null, stream = null, chunks = [], started = 0, timer = null, audioCtx = null;

  function say(text, error) {
    status.textContent = text;
    status.className = error ? "status error" : "status";
  }

  function meterLoop(analyser) {
    var data = new Uint8Array(analyser.fftSize);
    function tick() {
      if (!recorder || recorder.state !== "recording") { meter.value = 0; return; }
      analyser.getByteTimeDomainData(data);
      var peak = 0;
      for (var i = 0; i < data.length; i++) peak = Math.max(peak, Math.abs(data[i] - 128) / 128);
      meter.value = peak;
      requestAnimationFrame(tick);
    }
    tick();
  }

  async function start() {
    say("");
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      say(box.dataset.msgMicrophone || "", true);
      return;
    }
    audioCtx = new AudioContext();
    var analyser = audioCtx.createAnalyser();
    audioCtx.createMediaStreamSource(stream).connect(analyser);
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = finished;
    recorder.start(250);
    started = Date.now();
    timer = setInterval(function () {
      var secs = (Date.now() - started) / 1000;
      length.value = secs.toFixed(1);
      if (secs >= maxSeconds) stop();
    }, 100);
    meterLoop(analyser);
    recordBtn.disabled = true; stopBtn.disabled = false; redoBtn.disabled = true;
    submit.disabled = true; mediaId.value = "";
  }

  function stop() {
    if (recorder && recorder.state === "recording") recorder.stop();
    clearInterval(timer);
    stopBtn.disabled = true;
  }

  async function finished() {
    stream.getTracks().forEach(function (t) { t.stop(); });
    if (audioCtx) audioCtx.close();
    var blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
    playback.src = URL.createObjectURL(blob);
    playback.hidden = false;
    redoBtn.disabled = false;
    var secs = (Date.now() - started) / 1000;
    if (secs < minSeconds) {
      say((box.dataset.msgShort || "").split("{min}").join(String(minSeconds)), true);
      return;
    }
    waiting = blob;
    upload();
  }

  var waiting = null, uploading = false;
  async function upload() {
    var blob = waiting;
    if (!blob || uploading || signal.aborted) return;
    uploading = true;
    say(box.dataset.msgUploading || "");
    var body = new FormData();
    body.append("file", blob, "take");
    var response;
    try {
      response = await fetch("/work/assignments/" + box.dataset.assignment + "/media", {
        method: "POST", headers: { "X-CSRF-Token": box.dataset.csrf }, body: body, credentials: "same-origin"
      });
    } catch (e) {
      uploading = false;
      say(box.dataset.msgOffline || "", true);
      return;
    }
    uploading = false;
    if (waiting !== blob) return; // redone meanwhile
    waiting = null;
    var result = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      say((result.error && result.error.message) || box.dataset.msgFailed || "", true);
      return;
    }
    mediaId.value = String(result.media_id);
    say((box.dataset.msgSaved || "").split("{s}").join(result.duration_seconds.toLocaleString(document.documentElement.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 })));
    submit.disabled = false;
  }

  recordBtn.addEventListener("click", start);
  stopBtn.addEventListener("click", stop);
  window.addEventListener("online", upload, { signal: signal });
  redoBtn.addEventListener("click", function () {
    waiting = null;
    playback.hidden = true; playback.removeAttribute("src");
    length.value = "0.0"; mediaId.value = ""; submit.disabled = true;
    recordBtn.disabled = false; redoBtn.disabled = true; say("");
  });
});
