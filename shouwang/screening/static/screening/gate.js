// The gate page: identify → person card → temperature → decision, then straight to the next.
// Talks to /api/v1 with the log-in session; a scanner gun is a keyboard that ends with Enter.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("gate-config").textContent);
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const lang = cfg.lang === "en" ? "en" : "zh-CN";
  const base = cfg.api + "/checkpoints/" + encodeURIComponent(cfg.checkpoint);

  let who = null;          // the identifier of the person on the card, e.g. {qr: "..."}
  let direction = "in";
  let mask = true;
  let typed = "";          // temperature as typed
  let countdownTimer = null;
  let busy = false;
  let shown = null;        // the decision on screen ("admit", "retest", …), or null
  let lookups = 0;         // a lookup or search answer older than the latest request is dropped
  let returnee = null;     // resident id of this community on the card (not in quarantine), for 返京登记

  // ---- helpers -------------------------------------------------------------------------
  function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers["Accept"] = "application/json";
    opts.headers["Accept-Language"] = lang;
    if (opts.body) {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRFToken"] = csrf;
    }
    opts.credentials = "same-origin";
    return fetch(path, opts).then((r) =>
      r.json().catch(() => ({})).then((data) => ({ ok: r.ok, status: r.status, data: data }))
    );
  }
  function show(el, on) { el.hidden = !on; }
  function errorText(data, status) {
    // A log-in that ended (logged out, or in again elsewhere) fails with 401/403 and no code of ours.
    if (status === 401 || (status === 403 && !(data && data.code && data.code !== "unauthorized"))) {
      return cfg.text.session_expired;
    }
    if (data && data.errors && data.errors.length) return data.errors.map((e) => e.message).join(" ");
    return (data && data.message) || cfg.text.network;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
  }

  // ---- what was typed or scanned --------------------------------------------------------
  function classify(raw) {
    const text = raw.normalize("NFKC").trim();
    const compact = text.replace(/[\s-]/g, "");
    if (/^(\\0\d{5}|\]Q\d)*SW\d\./.test(text) || text.length > 40 || /^https?:/i.test(text)) return { qr: text };
    if (/^[A-Za-z]{2,5}-\d{3,8}$/.test(text)) return { pass_number: text };
    if (/^\d{15}$|^\d{17}[\dXx]$/.test(compact)) return { id_number: compact };
    // Passports: E12345678, EA1234567 (one or two letters, then 7–8 digits).
    if (/^[A-Z]{1,2}\d{7,8}$/i.test(compact)) return { id_number: compact, id_type: "passport" };
    if (/^[A-Za-z]{3,5}\d{3,8}$/.test(compact)) return { pass_number: compact };
    return null; // a name or pinyin initials
  }

  function onIdentify(event) {
    if (event) event.preventDefault();
    clearTimeout(searchTimer);
    const raw = $("ident").value;
    if (!raw.trim()) return;
    const ident = classify(raw);
    if (ident) { lookup(ident); } else { search(raw, true); }
  }

  let searchTimer = null;
  function onInput() {
    const raw = $("ident").value;
    clearTimeout(searchTimer);
    // Typing or scanning while a decision or a card shows starts the next person at once:
    // nothing more may be recorded for the one before.
    if ((shown || !$("card").hidden) && raw) dismiss();
    if (raw.trim() && !classify(raw) && !/^\d/.test(raw.trim())) {
      searchTimer = setTimeout(() => search(raw), 150);
    } else {
      show($("picks"), false);
    }
  }

  // Names and initials; with ``enter`` (the name was typed and Enter pressed) one hit is taken.
  function search(raw, enter) {
    const seq = ++lookups;
    api(base + "/people?q=" + encodeURIComponent(raw.trim())).then(({ ok, status, data }) => {
      if (seq !== lookups) return;
      const list = $("picks");
      list.innerHTML = "";
      if (!ok) { showIdentError(errorText(data, status)); return; }
      if (enter && data.length === 1) {
        lookup(data[0].kind === "member" ? { member: data[0].id } : { resident: data[0].id });
        return;
      }
      if (!data.length) { showIdentError(cfg.text.search_empty); show(list, false); return; }
      show($("ident-error"), false);
      data.forEach((hit, i) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "pick-person";
        b.innerHTML = "<b></b><small></small>";
        b.querySelector("b").textContent = hit.masked_name + " " + hit.id_masked;
        b.querySelector("small").textContent = hit.where;
        b.addEventListener("click", () => lookup(hit.kind === "member" ? { member: hit.id } : { resident: hit.id }));
        b.addEventListener("keydown", (e) => {
          if (e.key === "ArrowDown" && li.nextSibling) { e.preventDefault(); li.nextSibling.firstChild.focus(); }
          if (e.key === "ArrowUp") { e.preventDefault(); (li.previousSibling ? li.previousSibling.firstChild : $("ident")).focus(); }
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      show(list, true);
    });
  }

  function showIdentError(text) {
    $("ident-error").textContent = text;
    show($("ident-error"), true);
  }

  function lookup(ident) {
    const seq = ++lookups;
    const params = new URLSearchParams(ident);
    api(base + "/lookup?" + params.toString()).then(({ ok, status, data }) => {
      if (seq !== lookups) return;
      if (!ok) { showIdentError(errorText(data, status)); return; }
      who = ident;
      show($("ident-error"), false);
      show($("picks"), false);
      // A new person starts coming in, with a mask: neither carries over from the last one.
      setDirection("in");
      setMask(true);
      renderCard(data);
    }, () => { if (seq === lookups) showIdentError(cfg.text.network); });
  }

  // ---- the person card ------------------------------------------------------------------
  function renderCard(card) {
    hideDecision();
    $("person-name").textContent = card.person || "—";
    $("person-where").textContent = card.where || "";
    const pic = $("pass-picture");
    const p = card.pass;
    if (p) {
      const status = cfg.text.pass_status[p.status] || p.status;
      $("pass-line").textContent = p.type + " · " + p.number + " · " + status + " (" + cfg.text.until + " " + p.valid_until + ")";
      $("pass-line").className = "sub pass-" + p.status;
      if (p.picture) { pic.src = p.picture; show(pic, true); } else { show(pic, false); }
    } else {
      // No pass of ours: say why before the reading (another app's QR, a forged one, a stranger).
      $("pass-line").textContent = card.note || (card.identity === "person_without_pass" ? cfg.text.no_pass : "");
      $("pass-line").className = card.note ? "sub pass-revoked" : "sub";
      show(pic, false);
    }
    // Only a resident of this community (the card names no one else's) can be registered as back.
    returnee = card.resident && !card.in_quarantine ? card.resident : null;
    const q = $("quarantine-line");
    q.textContent = card.in_quarantine ? cfg.text.quarantine + " " + card.quarantine_until : "";
    show(q, !!card.in_quarantine);
    setTyped("");
    show($("card"), true);
    $("ident").value = "";
    $("confirm").focus();
  }

  function setTyped(value) {
    typed = value;
    const shownValue = typed ? formatTyped(typed) : "--.-";
    $("temp-display").textContent = shownValue;
    // 93.2–108 is read as °F by the server (986 → 98.6 °F → 37.0 °C): say so while typing.
    const n = Number(shownValue);
    unit.textContent = n >= 93.2 && n <= 108 ? "°F" : "°C";
  }
  function formatTyped(t) {
    if (/^\d{3,4}$/.test(t)) return (Number(t) / 10).toFixed(1);
    return t.replace(",", ".");
  }
  function plausibleShortcut(t) {
    // "366" is 36.6: three digits need no confirm tap when they read as a plausible °C.
    if (!/^\d{3}$/.test(t)) return false;
    const c = Number(t) / 10;
    return c >= 35.0 && c <= 42.0;
  }
  // ``tapped``: from the on-screen keypad. Only taps take the 3-digit shortcut: a keyboard is
  // also what a scanner gun or a worker typing the next person's ID number uses, and 410102…
  // must never become 41.0 °C for the person on the card.
  function key(k, tapped) {
    if ($("card").hidden || busy) return;
    if (k === "back") { setTyped(typed.slice(0, -1)); return; }
    if (k === "." && typed.includes(".")) return;
    if (!tapped && !typed.includes(".") && k !== "." && typed.length >= 4) {
      // Five digits are no temperature: it is a number for the next person.
      const text = typed + k;
      setTyped("");
      dismiss();
      $("ident").value = text;
      $("ident").focus();
      return;
    }
    if (typed.length >= 5) return;
    setTyped(typed + k);
    if (tapped && plausibleShortcut(typed)) confirm();
  }

  function setDirection(d) {
    direction = d;
    document.querySelectorAll(".dir").forEach((b) => b.classList.toggle("on", b.dataset.dir === d));
  }
  function toggleMask() { setMask(!mask); }
  function setMask(on) {
    mask = on;
    const b = $("mask");
    b.classList.toggle("on", mask);
    b.setAttribute("aria-pressed", String(mask));
    b.textContent = mask ? b.dataset.on : b.dataset.off;
  }

  // ---- the decision ---------------------------------------------------------------------
  let sentTyped = "";      // the temperature as sent, to show a °F reading beside its °C
  function confirm() {
    if (!who || busy) return;
    busy = true;
    sentTyped = typed;
    const person = who;
    const body = Object.assign({ id: uuid(), checkpoint: cfg.checkpoint, direction: direction, mask: mask }, who);
    if (typed) body.temperature = typed;
    api(cfg.api + "/screenings", { method: "POST", body: JSON.stringify(body) }).then(({ ok, status, data }) => {
      busy = false;
      if (!ok) { showIdentError(errorText(data, status)); return; }
      show($("ident-error"), false);
      // The next person was scanned while this answer travelled: keep their card; the answer
      // is in the last 10.
      if (who === person) renderDecision(data);
      refresh();
    }, () => { busy = false; showIdentError(cfg.text.network); });
  }

  function renderDecision(d) {
    shown = d.decision;
    const panel = $("decision");
    panel.className = "decision d-" + d.decision;
    $("decision-label").textContent = d.decision_label;
    $("decision-person").textContent = d.person || "";
    $("decision-temp").textContent = d.temperature_c == null ? ""
      : d.temperature_c.toFixed(1) + " °C" + (d.temperature_converted_f ? " (" + formatTyped(sentTyped) + " °F)" : "");
    $("decision-message").textContent = d.message;
    const reg = $("register-returnee");
    if (reg) {
      if (returnee) {
        const q = new URLSearchParams({ resident: returnee, screening: d.id, next: location.pathname });
        reg.href = reg.dataset.href + "?" + q.toString();
      }
      show(reg, !!returnee);
    }
    show($("card"), false);
    show(panel, true);
    clearInterval(countdownTimer);
    const retest = d.decision === "retest";
    show($("retest"), retest);
    show($("countdown"), false);
    if (retest) {
      const reason = d.reasons.find((r) => r in cfg.retestSeconds);
      let left = reason ? cfg.retestSeconds[reason] : 0;
      if (left > 0) {
        const tick = () => {
          $("countdown").textContent = cfg.text.retest_in + " " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
          if (left-- <= 0) { clearInterval(countdownTimer); $("countdown").textContent = cfg.text.retest_now; }
        };
        tick();
        countdownTimer = setInterval(tick, 1000);
        show($("countdown"), true);
      }
    }
    $("ident").value = "";
    $("ident").focus();
  }

  function hideDecision() {
    clearInterval(countdownTimer);
    shown = null;
    show($("decision"), false);
  }

  // Back to the card of the same person (same direction and mask): the next reading is the retest.
  function retest() {
    if (!who) { next(); return; }
    hideDecision();
    setTyped("");
    show($("card"), true);
    $("confirm").focus();
  }

  // Leave the decision (or card) for the next person, keeping whatever is in #ident.
  function dismiss() {
    hideDecision();
    who = null;
    returnee = null;
    show($("card"), false);
    show($("ident-error"), false);
  }

  function next() {
    dismiss();
    clearTimeout(searchTimer);
    lookups++;
    show($("picks"), false);
    $("ident").value = "";
    $("ident").focus();
  }

  // ---- today's counter, the last 10, the clock -----------------------------------------
  function refresh() {
    api(base + "/today").then(({ ok, data }) => { if (ok) $("today-count").textContent = data.total; });
    api(base + "/recent").then(({ ok, data }) => {
      if (!ok) return;
      const list = $("recent");
      list.innerHTML = "";
      data.forEach((r) => {
        const li = document.createElement("li");
        li.className = "d-" + r.decision;
        const temp = r.temperature_c != null ? r.temperature_c.toFixed(1) + "°" : "";
        // The person is cut short on a narrow screen; the temperature and decision never are.
        [r.time, r.direction === "in" ? cfg.text.in : cfg.text.out, r.person, temp, cfg.decisions[r.decision]]
          .forEach((text, i) => {
            const span = document.createElement("span");
            span.textContent = text;
            if (i === 2) span.className = "who";
            li.appendChild(span);
          });
        list.appendChild(li);
      });
    });
  }
  const clockFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: cfg.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  function tickClock() { $("clock").textContent = clockFormat.format(new Date()); }

  // ---- wiring ---------------------------------------------------------------------------
  const unit = document.querySelector(".temp-row .unit") || document.createElement("span");
  $("identify").addEventListener("submit", onIdentify);
  $("ident").addEventListener("input", onInput);
  $("keypad").addEventListener("click", (e) => { const k = e.target.closest("button"); if (k) key(k.dataset.key, true); });
  document.querySelectorAll(".dir").forEach((b) => b.addEventListener("click", () => setDirection(b.dataset.dir)));
  const maskButton = $("mask");
  maskButton.dataset.on = maskButton.textContent;
  maskButton.dataset.off = maskButton.dataset.offText || maskButton.textContent.replace("✓", "✗");
  maskButton.addEventListener("click", toggleMask);
  $("confirm").addEventListener("click", confirm);
  $("retest").addEventListener("click", retest);
  $("next").addEventListener("click", next);
  // Keys. In #ident: Enter identifies, ArrowDown goes to the pick list, Esc clears. On the card:
  // digits are the temperature (five or more: the next person's number), Enter confirms
  // (wherever the focus is on the card), Esc next person; mask and direction are buttons (Tab).
  // On a decision, anything typed is the next person; a retest is the 复测 button. Any other
  // character (a scan, a name) goes to #ident, which starts the next person.
  const printable = (e) => e.key.length === 1 && e.key !== " ";
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.keyCode === 229) return;
    const ident = $("ident");
    const inIdent = e.target === ident;
    if (shown) {
      if (e.key === "Escape") { e.preventDefault(); next(); return; }
      if (e.key === "Enter" && inIdent) { e.preventDefault(); if (ident.value.trim()) onIdentify(); else next(); }
      if (!inIdent && printable(e)) ident.focus(); // the character lands in #ident
      return;
    }
    if (inIdent) {
      if (e.key === "Enter" && !ident.value.trim() && !$("card").hidden) { e.preventDefault(); confirm(); }
      else if (e.key === "Enter") { onIdentify(e); }
      else if (e.key === "Escape") { e.preventDefault(); next(); }
      else if (e.key === "ArrowDown" && !$("picks").hidden) {
        e.preventDefault(); const f = $("picks").querySelector("button"); if (f) f.focus();
      }
      return;
    }
    if ($("card").hidden) return;
    const onCard = $("card").contains(e.target) || !e.target.closest("button, a, input, select, textarea");
    if (/^[0-9.,]$/.test(e.key)) { e.preventDefault(); key(e.key === "," ? "." : e.key); }
    else if (e.key === "Backspace") { e.preventDefault(); key("back"); }
    else if (e.key === "Enter" && onCard) { e.preventDefault(); confirm(); }
    else if (e.key === "Escape") { e.preventDefault(); next(); }
    else if (printable(e)) { ident.focus(); } // a scan or a name for the next person
  });
  // For the camera (gate-camera.js): what a camera read is handled like a scanner's Enter.
  function identifyText(text) {
    $("ident").value = text;
    onIdentify();
  }
  window.shouwangGate = { identify: identifyText, lookup: lookup, classify: classify };
  tickClock();
  setInterval(tickClock, 1000);
  refresh();
})();
