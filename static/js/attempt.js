// Progressive enhancements of the attempt and summary pages; both work without them.
// 1. A countdown to the deadline (the seconds the server counted when it sent the
//    page, so a wrong clock on the phone does not matter), the end time in the
//    trainee's own time zone, and warnings in words at 5 minutes and at 1 minute
//    (announced to screen readers). At zero the page submits itself; the server
//    grades what was saved by the deadline anyway.
// 2. Autosave: each change is posted in the background, one request at a time (a
//    change made meanwhile is sent when that one returns, so saves never arrive
//    out of order). The bar says "Saving…", "Saved at 15:32" or "Not saved";
//    leaving the page with a change not yet saved asks first.
// 3. The question navigator follows the answers and flags as they change.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var submitForm = document.getElementById("submit-form");
  var timer = document.getElementById("rw-timer");
  var state = document.getElementById("rw-save-state");
  var leaving = false;

  function fill(template, time) {
    return template.replace("%(time)s", time);
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // --- the navigator -------------------------------------------------------
  var grid = document.querySelector(".rw-qgrid");

  function markQuestion(position) {
    if (!grid || !form) { return; }
    var button = grid.querySelector('[data-position="' + position + '"]');
    if (!button) { return; }
    var answered = form.querySelector('input[name="q-' + position + '"]:checked') !== null;
    var flag = form.querySelector('input[name="flag"][value="' + position + '"]');
    var flagged = flag ? flag.checked : button.classList.contains("rw-qbtn-flagged");
    button.classList.toggle("rw-qbtn-answered", answered);
    button.classList.toggle("rw-qbtn-flagged", flagged);
    var words = [answered ? grid.dataset.answered : grid.dataset.unanswered];
    if (flagged) { words.push(grid.dataset.flagged); }
    var hidden = button.querySelector(".visually-hidden");
    if (hidden) { hidden.textContent = " (" + words.join(", ") + ")"; }
  }

  function positionOf(input) {
    if (input.name === "flag") { return input.value; }
    var match = /^q-(\d+)$/.exec(input.name);
    return match ? match[1] : null;
  }

  // --- autosave ------------------------------------------------------------
  var dirty = false;
  var inFlight = false;
  var again = false;
  var retry = null;

  function show(text, css) {
    if (!state) { return; }
    state.textContent = text;
    state.className = "rw-save-state small" + (css ? " " + css : "");
  }

  function failed() {
    dirty = true;
    show(state.dataset.failed, "rw-save-failed");
    if (retry === null) {
      retry = window.setTimeout(function () { retry = null; save(); }, 5000);
    }
  }

  function save() {
    if (leaving) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    dirty = false;
    // After a failure the bar keeps saying so until a save gets through.
    if (!state.classList.contains("rw-save-failed")) { show(state.dataset.saving, ""); }
    var data = new FormData(form);
    data.set("nav", "save");
    // A save that hangs (a dead connection) counts as failed after 15 s.
    var abort = window.AbortController ? new AbortController() : null;
    var limit = abort ? window.setTimeout(function () { abort.abort(); }, 15000) : null;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: abort ? abort.signal : undefined,
    }).then(function (response) {
      if (response.redirected) {
        // Time ran out or the attempt was closed elsewhere: show the result.
        leaving = true;
        window.location.assign(response.url);
        return;
      }
      if (response.status !== 204) { failed(); return; }
      show(fill(state.dataset.saved, clock(new Date())), "rw-save-ok");
      var answered = response.headers.get("X-Answered");
      var progress = document.querySelector(".rw-progress");
      var counter = document.getElementById("rw-answered");
      if (answered !== null) {
        if (progress) { progress.value = Number(answered); }
        if (counter) { counter.textContent = answered; }
      }
    }).catch(failed).then(function () {
      if (limit !== null) { window.clearTimeout(limit); }
      inFlight = false;
      if (again) { again = false; save(); }
    });
  }

  if (form && form.dataset.autosave === "true" && window.fetch && state) {
    form.addEventListener("change", function (event) {
      var position = positionOf(event.target);
      if (position !== null) { markQuestion(position); }
      dirty = true;
      save();
    });
    form.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && (dirty || inFlight)) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // --- the countdown ---------------------------------------------------------
  function submitNow() {
    leaving = true;
    if (form) {
      var nav = document.createElement("input");
      nav.type = "hidden";
      nav.name = "nav";
      nav.value = "submit";
      form.appendChild(nav);
      form.submit();
    } else if (submitForm) {
      submitForm.submit();
    }
  }

  if (timer) {
    var deadline = Date.now() + Number(timer.dataset.seconds) * 1000;
    var left = timer.querySelector(".rw-timer-left");
    var ends = timer.querySelector(".rw-timer-ends");
    var warning = document.getElementById("rw-timer-warning");
    var level = timer.classList.contains("rw-timer-last") ? "last"
      : timer.classList.contains("rw-timer-warn") ? "warn" : "";
    var submitted = false;
    if (ends) {
      ends.textContent = fill(timer.dataset.ends, clock(new Date(Date.parse(timer.dataset.deadline))));
    }
    var pad = function (n) { return String(n).padStart(2, "0"); };
    var tick = function () {
      var ms = deadline - Date.now();
      if (ms <= 0) {
        left.textContent = "0:00";
        if (!submitted) { submitted = true; submitNow(); }
        return;
      }
      var s = Math.ceil(ms / 1000);
      var h = Math.floor(s / 3600);
      var m = Math.floor((s % 3600) / 60);
      left.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
      var now = s <= 60 ? "last" : s <= 300 ? "warn" : "";
      if (now !== level) {
        level = now;
        timer.classList.remove("rw-timer-warn", "rw-timer-last");
        if (level) { timer.classList.add("rw-timer-" + level); }
        if (warning) { warning.textContent = level ? timer.dataset[level] : ""; }
      }
      window.setTimeout(tick, ms % 1000 || 1000);
    };
    tick();
  }
})();
