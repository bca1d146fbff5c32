/* demokit — « Présenter » : les diapositives d'un exposé / a talk's slides.
   The slide number is in the URL (#3, or #3/notes for the presenter's view), so a
   reload keeps the place. Keys: → Space PgDn forward, ← PgUp back, Home End,
   F full screen, N notes view, Esc back to the catalogue. No network, no server. */
(function () {
  "use strict";
  var body = document.body;
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  if (!slides.length) return;
  body.classList.add("js");
  var count = slides.length;
  var presenter = document.querySelector(".presenter");
  var clock = document.querySelector("[data-clock]");
  var budgetLine = document.querySelector("[data-budget-line]");
  var nextBox = document.querySelector("[data-next]");
  var notesBox = document.querySelector("[data-notes]");
  var words = body.dataset;

  function state() {
    var match = /^#(\d+)(\/notes)?$/.exec(location.hash);
    var number = match ? parseInt(match[1], 10) : 1;
    return { number: Math.min(Math.max(number, 1), count), notes: !!(match && match[2]) };
  }

  function go(number, notes) {
    number = Math.min(Math.max(number, 1), count);
    var hash = "#" + number + (notes ? "/notes" : "");
    if (location.hash !== hash) location.replace(hash); else show();
  }

  // The clock starts at the first slide shown and survives a reload.
  function startTime() {
    var key = "demokit-talk-start:" + location.pathname;
    try {
      var saved = sessionStorage.getItem(key);
      if (saved) return parseInt(saved, 10);
      var now = Date.now();
      sessionStorage.setItem(key, String(now));
      return now;
    } catch (e) {
      return startedAt;
    }
  }
  var startedAt = Date.now();
  var start = startTime();

  function minutes(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var current = slides[state().number - 1];
    var elapsed = (Date.now() - start) / 1000;
    if (clock) clock.textContent = minutes(elapsed);
    if (budgetLine && current) {
      var planned = parseInt(current.dataset.start, 10) || 0;
      var gap = elapsed - planned;
      var label = gap > 60 ? words.wordsBehind : (gap < -60 ? words.wordsAhead : "");
      budgetLine.textContent = words.wordsPlanned + " " + minutes(planned) + (label ? " — " + label + " " + minutes(Math.abs(gap)) : "");
      budgetLine.classList.toggle("late", gap > 60);
    }
  }

  function show() {
    var s = state();
    slides.forEach(function (slide, index) {
      var current = index === s.number - 1;
      slide.hidden = !current;
      slide.classList.toggle("current", current);
    });
    body.classList.toggle("notes-view", s.notes);
    if (presenter) presenter.hidden = !s.notes;
    var toggle = document.querySelector("[data-notes-toggle]");
    if (toggle) toggle.setAttribute("href", "#" + s.number + (s.notes ? "" : "/notes"));
    if (s.notes) {
      var next = slides[s.number];
      nextBox.textContent = "";
      if (next) nextBox.appendChild(next.querySelector(".slide-body").cloneNode(true));
      notesBox.textContent = "";
      notesBox.appendChild(slides[s.number - 1].querySelector(".notes").cloneNode(true));
    }
    document.title = document.title.replace(/^\(\d+\/\d+\) /, "");
    document.title = "(" + s.number + "/" + count + ") " + document.title;
    tick();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var s = state();
    switch (event.key) {
      case "ArrowRight": case " ": case "Spacebar": case "PageDown":
        go(s.number + 1, s.notes); break;
      case "ArrowLeft": case "PageUp":
        go(s.number - 1, s.notes); break;
      case "Home": go(1, s.notes); break;
      case "End": go(count, s.notes); break;
      case "f": case "F":
        if (document.fullscreenElement) document.exitFullscreen();
        else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
        break;
      case "n": case "N": go(s.number, !s.notes); break;
      case "Escape":
        if (!document.fullscreenElement && body.dataset.back) location.href = body.dataset.back;
        break;
      default: return;
    }
    event.preventDefault();
  });
  window.addEventListener("hashchange", show);
  setInterval(tick, 1000);
  show();
})();
