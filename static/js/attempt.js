// Progressive enhancements of the attempt page; it works without them.
// 1. A countdown to the server's deadline; when it passes, the page submits
//    itself (the server grades what was saved anyway).
// 2. Autosave: each change is posted in the background.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var timer = document.getElementById("rw-timer");

  function post(extra) {
    var data = new FormData(form);
    data.set("nav", extra || "save");
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
  }

  if (form && form.dataset.autosave === "true" && window.fetch) {
    var progress = document.querySelector(".rw-progress");
    var counter = document.getElementById("rw-answered");
    form.addEventListener("change", function () {
      post("save").then(function (response) {
        var answered = response.headers.get("X-Answered");
        if (answered === null) { return; }
        if (progress) { progress.value = Number(answered); }
        if (counter) { counter.textContent = answered; }
      }).catch(function () { /* the next page move saves anyway */ });
    });
  }

  if (timer && form) {
    var deadline = Date.parse(timer.dataset.deadline);
    var left = timer.querySelector(".rw-timer-left");
    var submitted = false;
    var tick = function () {
      var ms = deadline - Date.now();
      if (ms <= 0) {
        left.textContent = "";
        if (!submitted) {
          submitted = true;
          var nav = document.createElement("input");
          nav.type = "hidden";
          nav.name = "nav";
          nav.value = "submit";
          form.appendChild(nav);
          form.submit();
        }
        return;
      }
      var s = Math.floor(ms / 1000);
      var m = Math.floor(s / 60);
      left.textContent = "· " + m + ":" + String(s % 60).padStart(2, "0") + " left";
      if (ms < 60000) { timer.classList.add("rw-timer-low"); }
      window.setTimeout(tick, 1000 - (ms % 1000));
    };
    tick();
  }
})();
