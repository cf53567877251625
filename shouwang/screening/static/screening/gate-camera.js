// The gate page's camera: read a pass QR with the rear camera and hand the text to gate.js,
// exactly as if a scanner gun had typed it. Decodes with the browser's BarcodeDetector where it
// exists and works, else with the vendored jsQR (vendor/jsQR.js) on a downscaled canvas.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const button = $("camera-button");
  const box = $("camera");
  const video = $("camera-video");
  const closeButton = $("camera-close");
  if (!button || !box || !video) return;

  // Words come translated from the page (Django i18n), like every other string of the gate page.
  const text = JSON.parse(document.getElementById("gate-config").textContent).text;
  const INTERVAL_MS = 110; // about 9 decodes a second
  const MAX_WIDTH = 640;   // jsQR works on at most this many pixels across

  let stream = null;
  let timer = null;
  let session = 0;         // bumped on every open/close, so a late decode of a closed camera is dropped
  let detector;            // undefined: not tried yet; null: none, use jsQR
  let canvas = null;
  let ctx = null;

  function showError(message) {
    const el = $("ident-error");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
  }

  function stop() {
    session += 1;
    clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.pause();
    video.srcObject = null;
    box.hidden = true;
  }

  // A working BarcodeDetector for QR codes, or null (then jsQR).
  function findDetector() {
    if (detector !== undefined) return Promise.resolve(detector);
    if (!("BarcodeDetector" in window)) return Promise.resolve((detector = null));
    const formats = window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats()
      : Promise.resolve(["qr_code"]);
    return formats.then(
      (list) => (detector = list.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null),
      () => (detector = null)
    ).catch(() => (detector = null));
  }

  function decodeWithJsQR() {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return null;
    const scale = Math.min(1, MAX_WIDTH / w);
    const cw = Math.round(w * scale);
    const ch = Math.round(h * scale);
    if (!canvas) {
      canvas = document.createElement("canvas");
      ctx = canvas.getContext("2d", { willReadFrequently: true });
    }
    if (canvas.width !== cw || canvas.height !== ch) { canvas.width = cw; canvas.height = ch; }
    ctx.drawImage(video, 0, 0, cw, ch);
    const img = ctx.getImageData(0, 0, cw, ch);
    const code = window.jsQR(img.data, cw, ch, { inversionAttempts: "dontInvert" });
    return code && code.data ? code.data : null;
  }

  // One frame's text, or null. A BarcodeDetector that throws is dropped for jsQR for good.
  function decode() {
    if (video.readyState < 2) return Promise.resolve(null); // no frame yet
    if (detector) {
      return detector.detect(video).then(
        (codes) => (codes.length && codes[0].rawValue ? codes[0].rawValue : null),
        () => { detector = null; return null; }
      );
    }
    return Promise.resolve(decodeWithJsQR());
  }

  function schedule(mine, delay) {
    timer = setTimeout(() => requestAnimationFrame(() => tick(mine)), delay);
  }

  function tick(mine) {
    if (mine !== session) return;
    const started = performance.now();
    decode().then((found) => {
      if (mine !== session) return;
      if (found) {
        stop();
        window.shouwangGate.identify(found);
        return;
      }
      schedule(mine, Math.max(0, INTERVAL_MS - (performance.now() - started)));
    }, () => { if (mine === session) schedule(mine, INTERVAL_MS); });
  }

  function open() {
    if (stream) { stop(); return; } // the button toggles
    const media = navigator.mediaDevices;
    if (!media || !media.getUserMedia) { showError(text.camera); return; } // also: plain http
    const mine = ++session;
    findDetector().then(() => {
      if (mine !== session) return null;
      if (!detector && typeof window.jsQR !== "function") { showError(text.decoder); return null; }
      return media.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then((s) => {
        if (mine !== session) { s.getTracks().forEach((t) => t.stop()); return; }
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        const el = $("ident-error");
        if (el && el.textContent === text.camera) el.hidden = true;
        return video.play().then(() => schedule(mine, 0));
      });
    }).catch(() => {
      if (mine !== session) return;
      stop();
      showError(text.camera);
    });
  }

  button.addEventListener("click", open);
  if (closeButton) {
    closeButton.addEventListener("click", () => {
      stop();
      const ident = $("ident");
      if (ident) ident.focus();
    });
  }
  // A phone camera left on in a background tab drains the battery: close it.
  document.addEventListener("visibilitychange", () => { if (document.hidden && stream) stop(); });
  window.addEventListener("pagehide", () => { if (stream) stop(); });
})();
