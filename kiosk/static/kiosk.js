// Kiosk behaviour: the idle timer that wipes the screen, the on-screen keypads,
// no context menu. Loaded on every page; does nothing where its markup is absent.
(function () {
  "use strict";

  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });

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

  // --- the idle timer -----------------------------------------------------------------
  var body = document.body;
  var idleSeconds = Number(body.dataset.idleSeconds || 0);
  var countdownSeconds = Number(body.dataset.countdownSeconds || 0);
  var dialog = document.getElementById("idle-dialog");
  if (!idleSeconds || !dialog) { return; }

  var idleTimer = null;
  var tickTimer = null;
  var remaining = 0;
  var shown = document.getElementById("idle-countdown");

  function wipe() {
    // Forget everything in the browser, then on the server, then show the welcome page.
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (ignored) { /* storage off */ }
    var form = document.createElement("form");
    form.method = "post";
    form.action = body.dataset.resetUrl;
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"];
    form.appendChild(token);
    body.appendChild(form);
    form.submit();
  }

  function tick() {
    remaining -= 1;
    shown.textContent = String(remaining);
    if (remaining <= 0) { clearInterval(tickTimer); wipe(); }
  }

  function askIfStillThere() {
    remaining = countdownSeconds;
    shown.textContent = String(remaining);
    dialog.showModal();
    tickTimer = setInterval(tick, 1000);
  }

  function restart() {
    clearTimeout(idleTimer);
    clearInterval(tickTimer);
    if (dialog.open) { dialog.close(); }
    idleTimer = setTimeout(askIfStillThere, idleSeconds * 1000);
  }

  document.getElementById("idle-continue").addEventListener("click", restart);
  ["pointerdown", "keydown", "touchstart"].forEach(function (type) {
    document.addEventListener(type, function () { if (!dialog.open) { restart(); } }, { passive: true });
  });
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); });  // Escape does not dismiss
  restart();
}());
