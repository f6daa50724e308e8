// The kiosk's camera (templates/photo/camera.html): a mirrored live preview under the GA 461
// guides, live hints from the server a few times a second, a 3-2-1 countdown before each shot,
// and the compliant shots as large thumbnails to choose from. Without a camera (none, refused,
// failed) the page says so and the "at the window" button remains.
(function () {
  "use strict";

  var root = document.getElementById("camera");
  if (!root) { return; }

  var overlay = JSON.parse(root.dataset.overlay);
  var text = root.dataset;
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-overlay");
  var stage = document.getElementById("camera-stage");
  var hintsBox = document.getElementById("camera-hints");
  var countdownBox = document.getElementById("camera-countdown");
  var takeButton = document.getElementById("take-photo");
  var shotsLeft = document.getElementById("shots-left");
  var shotsBox = document.getElementById("shots");
  var shotsTitle = document.getElementById("shots-title");
  var refusalBox = document.getElementById("camera-refusal");
  var csrf = JSON.parse(document.getElementById("page").getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";

  var HINT_INTERVAL_MS = 350;
  var HINT_MAX_SIDE = 640;
  var remaining = Number(text.remaining || 0);
  var stream = null;
  var busy = false;      // a countdown or a shot is under way: no hints meanwhile
  var hintPending = false;
  var good = null;       // the last hint: true (all checks pass), false, or null (none yet)
  var faceSeen = false;  // the last hint saw a face: only then can a shot be of any use
  var faceTrack = "";    // where the server last saw the face: sent back so it need not search
  var stopped = false;

  // --- drawing the guides --------------------------------------------------------------
  function drawOverlay() {
    var width = canvas.clientWidth;
    var height = canvas.clientHeight;
    if (!width || !height) { return; }
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    // The photo's frame: a 358 x 441 rectangle, placed as the server says, centred.
    var boxHeight = height * overlay.box.height;
    var boxWidth = boxHeight * overlay.photo.width / overlay.photo.height;
    var left = (width - boxWidth) / 2;
    var top = height * overlay.box.top;
    function x(share) { return left + share * boxWidth; }
    function y(share) { return top + share * boxHeight; }

    ctx.fillStyle = "rgba(0, 0, 0, 0.5)";  // dim what falls outside the photo
    ctx.fillRect(0, 0, width, height);
    ctx.clearRect(left, top, boxWidth, boxHeight);

    var colour = good === true ? "#3ddc84" : good === false ? "#ffb020" : "#ffffff";
    ctx.strokeStyle = colour;
    ctx.lineWidth = 3;
    ctx.setLineDash([]);
    ctx.strokeRect(left, top, boxWidth, boxHeight);

    var guides = overlay.guides;
    var head = guides.head;
    ctx.lineWidth = 5;
    ctx.beginPath();
    ctx.ellipse(x(head.cx), y(head.cy), head.rx * boxWidth, head.ry * boxHeight, 0, 0, 2 * Math.PI);
    ctx.stroke();

    function line(guide, dash) {
      ctx.setLineDash(dash);
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(x(guide.x0), y(guide.y));
      ctx.lineTo(x(guide.x1), y(guide.y));
      ctx.stroke();
    }
    line(guides.crown_line, []);
    line(guides.eye_line, [14, 10]);
    line(guides.chin_line, []);
    ctx.setLineDash([]);
  }

  function sizeStage() {
    if (video.videoWidth && video.videoHeight) {
      stage.style.aspectRatio = video.videoWidth + " / " + video.videoHeight;
    }
    drawOverlay();
  }

  // --- talking to the server -------------------------------------------------------------
  function post(url, blob, headers, onResponse) {
    var all = { "Content-Type": "image/jpeg", "X-CSRFToken": csrf, "Accept": "application/json" };
    Object.keys(headers || {}).forEach(function (key) { all[key] = headers[key]; });
    return fetch(url, { method: "POST", body: blob, headers: all, credentials: "same-origin" })
      .then(function (response) {
        if (onResponse) { onResponse(response); }
        return response.json().catch(function () { return { ok: false, message: text.textFailed }; });
      });
  }

  function grab(maxSide) {
    // The camera's picture as it is (not mirrored), reduced so its longer side is at most maxSide.
    var width = video.videoWidth;
    var height = video.videoHeight;
    var scale = maxSide ? Math.min(1, maxSide / Math.max(width, height)) : 1;
    var frame = document.createElement("canvas");
    frame.width = Math.round(width * scale);
    frame.height = Math.round(height * scale);
    frame.getContext("2d").drawImage(video, 0, 0, frame.width, frame.height);
    return new Promise(function (resolve) {
      frame.toBlob(function (blob) { resolve({ blob: blob, scale: 1 / scale }); }, "image/jpeg", 0.9);
    });
  }

  function showHints(messages) {
    hintsBox.textContent = messages.length ? messages.join(" · ") : text.textReady;
  }

  function askForHints() {
    if (stopped || busy || hintPending || !video.videoWidth) { return; }
    hintPending = true;
    grab(HINT_MAX_SIDE)
      .then(function (frame) {
        var headers = { "X-Frame-Scale": String(frame.scale) };
        if (faceTrack) { headers["X-Face-Track"] = faceTrack; }
        return post(text.hintsUrl, frame.blob, headers, function (response) {
          faceTrack = response.headers.get("X-Face-Track") || "";
        });
      })
      .then(function (answer) {
        if (busy || stopped) { return; }
        if (answer.messages) {
          good = answer.ok === true;
          faceSeen = answer.face === true;
          offerShutter();
          root.dataset.state = good ? "good" : "adjust";
          showHints(answer.messages);
          drawOverlay();
        }
      })
      .catch(function () { /* a hint lost: the next one follows */ })
      .then(function () { hintPending = false; });
  }

  // --- shots ------------------------------------------------------------------------------
  function offerShutter() {
    // Each tap spends one of the few shots: none while no face is in view or a shot is under way.
    takeButton.disabled = busy || remaining <= 0 || !faceSeen;
  }

  function showRefusal(message) {
    // A refused shot's reason stays until the next shot, beside the live hints that follow it.
    refusalBox.textContent = message || "";
    refusalBox.hidden = !message;
  }

  function showRemaining() {
    shotsLeft.textContent = text.textRemaining.replace("{n}", String(remaining));
    if (remaining <= 0) {
      takeButton.hidden = true;
      hintsBox.textContent = text.textNoMore;
    }
  }

  function showShots(shots) {
    while (shotsBox.firstChild) { shotsBox.removeChild(shotsBox.firstChild); }
    shots.forEach(function (shot, index) {
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "shot";
      button.value = shot.id;
      button.className = "shot";
      var image = document.createElement("img");
      image.src = shot.url;
      image.width = 358;
      image.height = 441;
      image.alt = text.textPhoto + " " + (index + 1);
      button.appendChild(image);
      shotsBox.appendChild(button);
    });
    shotsTitle.hidden = shots.length === 0;
  }

  function limitReached(answer) {
    stopCamera();
    root.hidden = true;
    var limit = document.getElementById("camera-limit");
    limit.textContent = answer.message;
    limit.hidden = false;
    var next = document.getElementById("camera-next");
    next.href = answer.next;
    next.hidden = false;
  }

  function shoot() {
    hintsBox.textContent = text.textChecking;
    grab(0)
      .then(function (frame) { return post(text.shotsUrl, frame.blob); })
      .then(function (answer) {
        if (typeof answer.remaining === "number") { remaining = answer.remaining; }
        if (answer.window) { limitReached(answer); return; }
        if (answer.shots) { showShots(answer.shots); }
        if (answer.ok) { hintsBox.textContent = text.textChoose; }
        else if (answer.messages && answer.messages.length) {
          showRefusal(text.textUnusable + " " + answer.messages.join(" · "));
        } else { showRefusal(answer.message || text.textFailed); }
        if (answer.error === "limit") { remaining = 0; }
        showRemaining();
      })
      .catch(function () { showRefusal(text.textFailed); })
      .then(function () {
        busy = false;
        offerShutter();
      });
  }

  function countdown() {
    if (busy || remaining <= 0) { return; }
    busy = true;
    offerShutter();
    showRefusal("");
    var left = 3;
    countdownBox.textContent = String(left);
    countdownBox.hidden = false;
    var timer = setInterval(function () {
      left -= 1;
      if (left > 0) { countdownBox.textContent = String(left); return; }
      clearInterval(timer);
      countdownBox.hidden = true;
      shoot();
    }, 1000);
  }

  // --- the camera -------------------------------------------------------------------------
  function reportCamera(state, reason) {
    // For the server's health check: whether this kiosk's camera works (nothing personal).
    fetch(text.statusUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ state: state, reason: reason || "" }),
      credentials: "same-origin"
    }).catch(function () { /* the next visit reports again */ });
  }

  function cameraProblem(error) {
    reportCamera("no_camera", error && error.name ? error.name : "Unsupported");
    stopCamera();
    stage.hidden = true;
    takeButton.hidden = true;
    hintsBox.hidden = true;
    shotsLeft.hidden = true;  // no shots to count, no posture to advise without a camera
    document.getElementById("camera-lead").hidden = true;
    document.getElementById("camera-problem").hidden = false;
  }

  function stopCamera() {
    stopped = true;
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
  }

  takeButton.addEventListener("click", countdown);
  window.addEventListener("resize", drawOverlay);
  window.addEventListener("pagehide", stopCamera);
  video.addEventListener("loadedmetadata", sizeStage);
  video.addEventListener("playing", function () {
    sizeStage();
    showRemaining();
  });
  drawOverlay();
  showRemaining();

  if (remaining <= 0) { return; }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { cameraProblem(null); return; }
  navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" },
    audio: false
  }).then(function (media) {
    stream = media;
    video.srcObject = media;
    return video.play();
  }).then(function () {
    reportCamera("working");
    setInterval(askForHints, HINT_INTERVAL_MS);
  }).catch(cameraProblem);
}());
