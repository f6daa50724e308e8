// Kiosk behaviour: the idle timer that wipes the screen, the on-screen keypads,
// no context menu. Loaded on every page; does nothing where its markup is absent.
// Pages change in place (hx-boost): what belongs to one page is read again from #page
// each time htmx swaps a new one in.
(function () {
  "use strict";

  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });

  function page() { return document.getElementById("page") || document.body; }

  // Calls `setUp` now (the first page) and again for each page htmx swaps in.
  function onEachPage(setUp) {
    setUp();
    document.addEventListener("htmx:load", function (event) {
      if (event.target.id === "page") { setUp(); }
    });
  }

  // --- keypads: buttons with data-key fill the input named by data-keypad-for ---------
  // A keypad for several inputs (ids separated by spaces) fills the one last tapped, the first at the start.
  function served(pad) {
    var ids = pad.dataset.keypadFor.split(" ");
    return document.getElementById(ids.indexOf(pad.dataset.serving) >= 0 ? pad.dataset.serving : ids[0]);
  }

  document.addEventListener("focusin", function (event) {
    document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
      if (pad.dataset.keypadFor.split(" ").indexOf(event.target.id) >= 0) { pad.dataset.serving = event.target.id; }
    });
  });

  document.addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (!key) { return; }
    var input = served(key.closest("[data-keypad-for]"));
    var value = input.value;
    var max = input.maxLength > 0 ? input.maxLength : 64;
    if (key.dataset.key === "delete") { value = value.slice(0, -1); }
    else if (key.dataset.key === "clear") { value = ""; }
    else if (value.length < max) { value += key.dataset.key; }
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus({ preventScroll: true });  // the field being typed keeps its focus ring
  });

  // --- the idle timer: after the page's idle seconds, ask; after the countdown, wipe ----
  var idleTimer = null;
  var tickTimer = null;
  var remaining = 0;

  function dialog() { return document.getElementById("idle-dialog"); }

  function wipe() {
    // Forget everything in the browser, then on the server, then show the welcome page.
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (ignored) { /* storage off */ }
    var form = document.createElement("form");
    form.method = "post";
    form.action = page().dataset.resetUrl;
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = JSON.parse(page().getAttribute("hx-headers"))["X-CSRFToken"];
    form.appendChild(token);
    document.body.appendChild(form);
    form.submit();
  }

  function tick() {
    remaining -= 1;
    document.getElementById("idle-countdown").textContent = String(remaining);
    if (remaining <= 0) { clearInterval(tickTimer); wipe(); }
  }

  function askIfStillThere() {
    remaining = Number(page().dataset.countdownSeconds || 0);
    document.getElementById("idle-countdown").textContent = String(remaining);
    dialog().showModal();
    tickTimer = setInterval(tick, 1000);
  }

  function restart() {
    clearTimeout(idleTimer);
    clearInterval(tickTimer);
    var shown = dialog();
    if (shown && shown.open) { shown.close(); }
    var idleSeconds = Number(page().dataset.idleSeconds || 0);
    if (idleSeconds && shown) { idleTimer = setTimeout(askIfStillThere, idleSeconds * 1000); }
  }

  document.addEventListener("click", function (event) {
    if (event.target.id === "idle-continue") { restart(); }
  });
  ["pointerdown", "keydown", "touchstart"].forEach(function (type) {
    document.addEventListener(type, function () {
      var shown = dialog();
      if (!shown || !shown.open) { restart(); }
    }, { passive: true });
  });
  document.addEventListener("cancel", function (event) {  // Escape does not dismiss the question
    if (event.target.id === "idle-dialog") { event.preventDefault(); }
  }, true);
  onEachPage(restart);
}());
