// Triad's one script for pages: asks before destructive actions, shows live campus status and
// keeps survey drafts. Pages work without it. The shared worker (live-worker.js) loads this
// file too, for openStream alone: everything that needs a page is inside the test below.

// Opens a live stream and turns its events into messages: a snapshot, a status change, the
// connection lost (the browser reconnects by itself), or stopped by the server (superseded or
// signed out: no reconnecting). A stream that fell behind reconnects at once for a new snapshot.
// A status that skips a version of its campus's event (or names a new event while the last
// one seen is still open) means a change was missed: the stream is opened again for a fresh
// snapshot rather than showing a state that may be wrong.
// The same function runs in the shared worker (live-worker.js imports this file).
function openStream(path, deliver) {
  var source = null;
  var seen = {};
  function missedOne(s) {
    var before = seen[s.campus_id];
    seen[s.campus_id] = s;
    if (!before || !before.event_id || before.version === 0) { return false; }
    if (s.event_id !== before.event_id) { return true; }
    return s.version !== 0 && s.version > before.version + 1;
  }
  function connect() {
    source = new EventSource(path);
    source.addEventListener("snapshot", function (event) {
      var statuses = JSON.parse(event.data);
      seen = {};
      statuses.forEach(function (s) { seen[s.campus_id] = s; });
      deliver({ kind: "snapshot", statuses: statuses });
    });
    source.addEventListener("status", function (event) {
      var status = JSON.parse(event.data);
      if (missedOne(status)) { source.close(); connect(); return; }
      deliver({ kind: "status", status: status });
    });
    source.addEventListener("notice", function (event) {
      deliver({ kind: "notice", notice: JSON.parse(event.data) });
    });
    source.addEventListener("ended", function (event) {
      source.close();
      if (event.data === "lagged") { connect(); } else { deliver({ kind: "stopped", reason: event.data }); }
    });
    source.onerror = function () {
      // Closed for good (signed out, or not a stream): say so; otherwise the browser retries.
      deliver({ kind: source.readyState === EventSource.CLOSED ? "stopped" : "lost", reason: "closed" });
    };
  }
  connect();
  return { release: function () { if (source) { source.close(); source = null; } } };
}

if (typeof document !== "undefined") {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Signing in: the next page asks, once per device, about the alarm sound.
    if (form.getAttribute("action") === "/login" && window.sessionStorage) {
      window.sessionStorage.setItem("triad-signed-in", "1");
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (sentByScript(form)) {
      event.preventDefault();
      send(form, event.submitter);
    }
  });

  // A page's form is sent from the page, so that a refusal comes back on the page as it was
  // filled: each message beside its field, that field focused and its section open, nothing
  // typed lost. Its buttons wait while it is sent, so a double tap sends it once. Signing in
  // and out stay plain forms (their answers set and clear the session).
  function sentByScript(form) {
    var action = form.getAttribute("action") || window.location.pathname;
    return window.fetch && window.FormData && window.URLSearchParams &&
      (form.getAttribute("method") || "").toLowerCase() === "post" &&
      !/^\/(login|logout)/.test(action) && !form.hasAttribute("data-plain");
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var multipart = (form.getAttribute("enctype") || "").toLowerCase() === "multipart/form-data";
    var buttons = form.querySelectorAll("button, input[type=submit]");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    var done = function () { Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; }); };
    // Read from the attribute: a field named "action" (the status moves have one) shadows
    // the form's own property.
    window.fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: multipart ? data : new URLSearchParams(data),
      credentials: "same-origin",
      headers: { "X-Triad-Form": "1" }
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (response.ok && response.redirected) {
        // A fetch's final address carries no fragment: a form that names where on the next
        // page its reader returns to (data-anchor) adds it back, reloading when only the
        // fragment would change (a fragment alone does not load the page again).
        var anchor = form.getAttribute("data-anchor");
        if (anchor && response.url === window.location.href.split("#")[0]) {
          window.location.hash = anchor;
          window.location.reload();
          return;
        }
        window.location.assign(response.url + (anchor ? "#" + anchor : ""));
        return;
      }
      if (response.status === 401) { window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname)); return; }
      if (!response.ok && type.indexOf("application/json") === 0) {
        return response.json().then(function (body) { done(); refused(form, body, response.status); });
      }
      // A page the server answered with (a secret shown once, a report): shown as it is.
      // The page it replaces lets go of its live stream first: the answer's own script takes
      // one up again.
      return response.text().then(function (html) {
        if (window.triadReleaseLive) { window.triadReleaseLive(); }
        document.open(); document.write(html); document.close();
      });
    }).catch(function () {
      done();
      refused(form, { message: "This was not sent: check the connection and send it again.", fields: [] }, 0);
    });
  }

  function inWords(field) {
    var words = field.replace(/[_.]/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function refused(form, body, status) {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error, .form-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby");
    });
    var elsewhere = [];
    var first = null;
    (body.fields || []).forEach(function (f) {
      var named = form.elements.namedItem(f.field);
      var el = named && named.length !== undefined && !named.tagName ? named[0] : named;
      if (!el || el.type === "hidden") { elsewhere.push(inWords(f.field) + ": " + f.message); return; }
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = "error-" + f.field;
      note.textContent = f.message.charAt(0).toUpperCase() + f.message.slice(1);
      var holder = el.closest("fieldset.choices") || el.closest("div") || el.closest("label") || el;
      holder.insertAdjacentElement("afterend", note);
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", note.id);
      for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) { d.open = true; }
      if (!first) { first = el; }
    });
    var top = document.createElement("div");
    top.className = "form-error";
    top.setAttribute("role", "alert");
    var heading = document.createElement("p");
    heading.textContent = status === 422
      ? "Nothing was saved: " + (first ? "check the fields marked below." : "check what is said below.")
      : (body.message || "This was not saved.");
    top.appendChild(heading);
    if (elsewhere.length) {
      var list = document.createElement("ul");
      elsewhere.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; list.appendChild(li); });
      top.appendChild(list);
    }
    form.insertBefore(top, form.firstChild);
    for (var d2 = form.closest("details"); d2; d2 = d2.parentElement && d2.parentElement.closest("details")) { d2.open = true; }
    // The field and its message in the middle of the screen, not at its edge.
    var shown = first || top;
    if (!first) { top.setAttribute("tabindex", "-1"); }
    if (shown.scrollIntoView) { shown.scrollIntoView({ block: "center" }); }
    shown.focus({ preventScroll: true });
  }

  // A part of a form shown only for one answer of another field, as
  // data-shown-when="period=custom" says (without this script it is always shown).
  Array.prototype.forEach.call(document.querySelectorAll("[data-shown-when]"), function (el) {
    var rule = el.getAttribute("data-shown-when").split("=");
    var form = el.closest("form");
    var field = form && form.elements.namedItem(rule[0]);
    if (!field) { return; }
    function follow() { el.hidden = field.value !== rule[1]; }
    field.addEventListener("change", follow);
    follow();
  });

  // The officer's quick entry asks only what the chosen category needs (a search's legal
  // basis, a presentation's topic, the staff) and a typed duration only for "Other".
  (function () {
    var form = document.querySelector("form.quick");
    if (!form) { return; }
    function needed() {
      var other = form.elements.namedItem("category_other");
      var picked = other && other.value ? other.options[other.selectedIndex] : form.querySelector("input[name=category]:checked");
      var needs = picked ? picked.getAttribute("data-needs") : null;
      Array.prototype.forEach.call(form.querySelectorAll("[data-for]"), function (el) {
        el.hidden = el.getAttribute("data-for") !== needs;
      });
      var typed = form.querySelector("input[name=minutes][value=other]");
      var box = form.querySelector("[data-when=minutes-other]");
      if (box) { box.hidden = !(typed && typed.checked); }
      // An SSO's search: the administrators of the campus chosen.
      var campus = form.elements.namedItem("campus_id");
      var admins = form.elements.namedItem("initiated_by");
      if (admins && campus) {
        Array.prototype.forEach.call(admins.options, function (o) {
          if (o.value) { o.hidden = o.getAttribute("data-campus") !== campus.value; }
        });
      }
    }
    form.addEventListener("change", needed);
    needed();
  })();

  // A button that prints the page (the visitor badge prints alone: see the print styles).
  // A link to hand out, copied with one tap (or selected, to copy by hand, where the
  // clipboard is not open to the page).
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var said = button.parentElement.querySelector(".copied");
      var done = function (text) { if (said) { said.textContent = text; } };
      field.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(
          function () { done("Copied."); },
          function () { done("Selected: copy it with your device's copy command."); });
      } else {
        done("Selected: copy it with your device's copy command.");
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Live campus status: every page of someone on a campus (or leading a district) shows a banner
  // when a campus is not at normal. A browser allows only six connections to one server, and a
  // stream holds one while it is open, so the pages of one browser share one stream: a shared
  // worker holds it (live-worker.js) and passes every event to each page. Where shared workers
  // are missing the page holds its own stream. Either way a page lets go of it when it is hidden
  // into the back-forward cache or closed, and takes it up again when it is shown: it then starts
  // from a fresh snapshot, so a page restored with the back button never shows a stale banner.
  // Browsers block sound until the person acts, so the tone plays only once they turn it on.
  (function () {
    var box = document.getElementById("live");
    if (!box || !window.EventSource) { return; }
    var text = document.getElementById("live-text");
    var link = document.getElementById("live-link");
    var lost = document.getElementById("live-lost");
    var soundButton = document.getElementById("live-sound");
    var more = document.getElementById("live-more");
    var path = box.getAttribute("data-stream");
    var audio = null;
    var states = {};
    var held = null;
    // The alarm sound: asked once per device (the answer is kept on it). A browser lets a
    // page play only once the person has acted on it, so the answer's click turns it on for
    // that page; on a page opened later it may still be blocked, and the banner says so at
    // once with a button that turns it on.
    var SOUND = "triad-sound";
    function soundWanted() { return window.localStorage && window.localStorage.getItem(SOUND) === "on"; }
    function showSound() {
      var running = audio && audio.state === "running";
      soundButton.disabled = !!running;
      soundButton.className = running ? "" : (soundWanted() ? "blocked" : "");
      soundButton.textContent = running ? "Sound is on"
        : (soundWanted() ? "Sound is blocked: tap to turn it on" : "Turn on sound");
    }
    function turnSoundOn() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) { return; }
      if (!audio) { audio = new Context(); }
      if (audio.state !== "running" && audio.resume) { audio.resume().then(showSound, showSound); }
      if (window.localStorage) { window.localStorage.setItem(SOUND, "on"); }
      showSound();
    }
    // A district's status board: each campus's row follows its campus.
    function board() {
      Array.prototype.forEach.call(document.querySelectorAll("[data-board-campus]"), function (row) {
        var s = states[row.getAttribute("data-board-campus")];
        if (!s) { return; }
        row.className = "board-" + s.status;
        row.querySelector(".board-label").textContent = s.label;
        row.querySelector(".board-since").textContent = s.since || "";
        row.querySelector(".board-by").textContent = s.called_by || "";
      });
    }
    soundButton.addEventListener("click", turnSoundOn);
    var ask = document.getElementById("sound-ask");
    var justSignedIn = window.sessionStorage && window.sessionStorage.getItem("triad-signed-in");
    if (window.sessionStorage) { window.sessionStorage.removeItem("triad-signed-in"); }
    var unanswered = window.localStorage && window.localStorage.getItem(SOUND) === null;
    if (ask && unanswered && (justSignedIn || window.location.pathname === "/")) {
      ask.hidden = false;
      document.getElementById("sound-yes").addEventListener("click", function () { turnSoundOn(); ask.hidden = true; });
      document.getElementById("sound-no").addEventListener("click", function () {
        window.localStorage.setItem(SOUND, "off"); ask.hidden = true; showSound();
      });
    }
    if (soundWanted()) {
      // Made now so it can play the moment the browser allows; until then it is suspended.
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) { audio = new Ctx(); audio.onstatechange = showSound; }
    }
    showSound();
    var tones = 0;
    var tries = 0;
    function tone() {
      if (!soundWanted() && !audio) { return; }
      // Tried and played are counted on the banner, so what happened can be checked.
      tries += 1;
      box.setAttribute("data-tone-tries", String(tries));
      if (!audio || audio.state !== "running") { showSound(); return; }
      tones += 1;
      box.setAttribute("data-tones", String(tones));
      var osc = audio.createOscillator();
      osc.frequency.value = 880;
      osc.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.6);
    }
    // "LOCKDOWN · Oak Grove Elementary · 09:05 · called by Maria Garcia"
    function line(s) {
      var parts = [s.label.toUpperCase()];
      if (s.campus) { parts.push(s.campus); }
      if (s.since) { parts.push(s.since); }
      if (s.called_by) { parts.push("called by " + s.called_by); }
      return parts.join(" \u00b7 ");
    }
    function show() {
      var shown = Object.keys(states).map(function (id) { return states[id]; })
        .filter(function (s) { return s.status !== "normal"; })
        .sort(function (a, b) {
          var rank = function (s) { return s.status === "lockdown" ? 0 : 1; };
          return rank(a) - rank(b) || (a.campus < b.campus ? -1 : 1);
        });
      var worst = shown[0];
      box.hidden = !worst;
      while (more.firstChild) { more.removeChild(more.firstChild); }
      if (!worst) { return; }
      box.className = "live-" + worst.status;
      text.textContent = line(worst);
      link.href = "/campuses/" + worst.campus_id + box.getAttribute("data-link");
      // A district leader sees one line per campus in an event.
      shown.slice(1).forEach(function (s) {
        var item = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/campuses/" + s.campus_id + box.getAttribute("data-link");
        a.textContent = line(s);
        item.appendChild(a);
        more.appendChild(item);
      });
      showSound();
    }
    // A campus status page follows its campus: the heading changes at once, and what the
    // person may do next is read again from the server (their authority decides it there) and
    // put in place without a reload. Someone typing into it is told instead, so nothing they
    // wrote is lost.
    var refreshing = false;
    function refreshIfStale() {
      var shown = document.querySelector("[data-live-campus]");
      if (!shown || refreshing) { return; }
      var now = states[shown.getAttribute("data-live-campus")];
      if (!now || now.status === shown.getAttribute("data-live-status")) { return; }
      shown.textContent = now.label;
      shown.className = "status-" + now.status;
      shown.setAttribute("data-live-status", now.status);
      var main = document.querySelector("main");
      var typed = Array.prototype.some.call(main.querySelectorAll("input[type=text], input:not([type]), textarea"),
        function (el) { return el.value !== el.defaultValue; });
      if (typed || !window.fetch || !window.DOMParser) {
        document.getElementById("status-changed").hidden = false;
        return;
      }
      refreshing = true;
      window.fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
          if (!fresh) { return Promise.reject("no page"); }
          main.replaceWith(fresh);
          refreshing = false;
          // A change heard while the page was being read is followed too.
          refreshIfStale();
        })
        .catch(function () {
          refreshing = false;
          var changed = document.getElementById("status-changed");
          if (changed) { changed.hidden = false; }
        });
    }
    function update(s, fresh) {
      var before = fresh[s.campus_id] || states[s.campus_id];
      fresh[s.campus_id] = s;
      if (s.status === "lockdown" && (!before || before.status !== "lockdown")) { tone(); }
    }
    // An urgent notice for this person (a possible banned person at the front desk): red, on
    // top of whatever page is open, with the way to it, until dismissed. It waits on the home
    // page too.
    var notices = document.getElementById("live-notices");
    function notice(n) {
      if (!notices) { return; }
      var item = document.createElement("li");
      var said = document.createElement("strong");
      said.textContent = n.message;
      var open = document.createElement("a");
      open.href = n.link;
      open.textContent = "Open it";
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "secondary";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", function () {
        item.remove();
        notices.hidden = !notices.querySelector("li");
      });
      item.appendChild(said);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(open);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(dismiss);
      notices.querySelector("ul").appendChild(item);
      notices.hidden = false;
      tone();
    }
    // One message from the stream, whoever holds it.
    function receive(message) {
      if (message.kind === "snapshot") {
        var fresh = {};
        message.statuses.forEach(function (s) { update(s, fresh); });
        states = fresh;
        lost.hidden = true;
        lost.textContent = lost.getAttribute("data-reconnecting");
      } else if (message.kind === "status") {
        update(message.status, states);
        lost.hidden = true;
      } else if (message.kind === "notice") {
        notice(message.notice);
        return;
      } else if (message.kind === "lost") {
        lost.hidden = false;
      } else if (message.kind === "stopped") {
        lost.textContent = message.reason === "superseded"
          ? "Live status stopped on this page because more Triad pages are open. Reload to follow it here."
          : "Live status has stopped on this page. Reload it to follow the campus again.";
        lost.hidden = false;
      }
      show();
      board();
      refreshIfStale();
    }
    lost.setAttribute("data-reconnecting", lost.textContent);

    // The shared worker, or a stream of this page's own.
    function hold() {
      if (window.SharedWorker) {
        try {
          var worker = new SharedWorker(box.getAttribute("data-worker-script"), { name: box.getAttribute("data-worker") });
          worker.port.onmessage = function (event) { receive(event.data); };
          worker.port.start();
          worker.port.postMessage({ kind: "hello", path: path });
          return { release: function () { worker.port.postMessage({ kind: "bye" }); worker.port.close(); } };
        } catch (e) { /* fall through to a stream of this page's own */ }
      }
      return openStream(path, receive);
    }
    held = hold();
    function release() { if (held) { held.release(); held = null; } }
    window.addEventListener("pagehide", release);
    window.triadReleaseLive = release;
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && !held) { held = hold(); }
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

  // Everything above is in place: the page's forms are sent by this script from now on.
  document.documentElement.setAttribute("data-script", "ready");
}
