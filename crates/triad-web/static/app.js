// Triad's one script: asks before destructive actions. Pages work without it.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Live campus status: every page of someone on a campus listens for its status changes
// (Server-Sent Events) and shows a banner when the campus is not normal. Browsers block sound
// until the person acts, so the tone plays only once they have turned it on.
(function () {
  var box = document.getElementById("live");
  if (!box || !window.EventSource) { return; }
  var text = document.getElementById("live-text");
  var link = document.getElementById("live-link");
  var lost = document.getElementById("live-lost");
  var soundButton = document.getElementById("live-sound");
  var audio = null;
  var states = {};
  soundButton.addEventListener("click", function () {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context) { audio = new Context(); soundButton.textContent = "Sound is on"; soundButton.disabled = true; }
  });
  var tones = 0;
  function tone() {
    if (!audio) { return; }
    // Counted on the banner, so what was played can be checked.
    tones += 1;
    box.setAttribute("data-tones", String(tones));
    var osc = audio.createOscillator();
    osc.frequency.value = 880;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  }
  function show() {
    var worst = null;
    Object.keys(states).forEach(function (id) {
      var s = states[id];
      if (s.status === "lockdown" || (!worst && s.status !== "normal")) { worst = s; }
    });
    box.hidden = !worst;
    if (worst) {
      box.className = "live-" + worst.status;
      text.textContent = worst.label.toUpperCase();
      link.href = "/campuses/" + worst.campus_id + box.getAttribute("data-link");
    }
  }
  box.getAttribute("data-streams").split(" ").forEach(function (path) {
    if (!path) { return; }
    var source = new EventSource(path);
    source.addEventListener("status", function (event) {
      var s = JSON.parse(event.data);
      var before = states[s.campus_id];
      states[s.campus_id] = s;
      lost.hidden = true;
      if (s.status === "lockdown" && (!before || before.status !== "lockdown")) { tone(); }
      show();
    });
    source.onerror = function () { lost.hidden = false; };
  });
})();

// Survey answers are kept on this device while the person answers, so they can finish later;
// they are forgotten once the answer is recorded (the thanks page).
(function () {
  if (!window.localStorage || !window.sessionStorage) { return; }
  var sent = document.querySelector("[data-sent]");
  if (sent) {
    var done = window.sessionStorage.getItem("survey-sending");
    if (done) { window.localStorage.removeItem(done); window.sessionStorage.removeItem("survey-sending"); }
    return;
  }
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var key = form.getAttribute("data-draft");
  var saved = {};
  try { saved = JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || el.type === "hidden" || !(el.name in saved)) { return; }
    if (el.type === "radio") { el.checked = el.value === saved[el.name]; } else { el.value = saved[el.name]; }
  });
  form.addEventListener("input", function () {
    var draft = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden") { return; }
      if (el.type === "radio") { if (el.checked) { draft[el.name] = el.value; } } else { draft[el.name] = el.value; }
    });
    window.localStorage.setItem(key, JSON.stringify(draft));
  });
  form.addEventListener("submit", function () { window.sessionStorage.setItem("survey-sending", key); });
})();
