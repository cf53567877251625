// The gate page: identify → person card → temperature → decision, then straight to the next.
// Talks to /api/v1 with the log-in session; a scanner gun is a keyboard that ends with Enter.
// Outsiders (the second half of this file): a visitor, a delivery rider, an incident or help
// given is a sheet over the page; a visit's or rider's decision uses the same full-screen panel.
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
  let lastScreening = null; // this page's latest screening {id, who, decision, temperature_c, mask}
  let outsiderMode = null; // "visitor" | "delivery" while a visit's or a rider's decision shows
  const offline = window.shouwangOffline || null; // gate-offline.js: the queue and the offline decision
  const WAIT_MS = 8000;    // a lookup or screening not answered by then is decided offline

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
    if (opts.timeout && window.AbortController) {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), opts.timeout);
      opts.signal = abort.signal;
    }
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
    // A one-day visitor pass typed off its screen: TPS-V200301-007 (dashes and spaces optional).
    const visitorPass = text.replace(/\s/g, "").match(/^([A-Za-z0-9_-]+?)-?V(\d{6})-?(\d{3,})$/i);
    if (visitorPass) return { pass_number: (visitorPass[1] + "-V" + visitorPass[2] + "-" + visitorPass[3]).toUpperCase() };
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
    const invite = invitationCode(raw);
    if (invite) { findInvitation(invite, raw); return; }
    identifyAs(raw);
  }
  function identifyAs(raw) {
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
    if (raw.trim() && !classify(raw) && !/\d/.test(raw)) {
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
    const found = (data) => {
      who = ident;
      show($("ident-error"), false);
      show($("picks"), false);
      // A new person starts coming in, with a mask: neither carries over from the last one.
      setDirection("in");
      setMask(true);
      renderCard(data);
    };
    // No network: the pass is checked on this phone (gate-offline.js).
    const lookupOffline = () => {
      if (!offline) { if (seq === lookups) showIdentError(cfg.text.network); return; }
      offline.identify(ident).then((r) => {
        if (seq !== lookups) return;
        if (r.error) { showIdentError(r.error); return; }
        found(r.card);
      });
    };
    if (offline && !navigator.onLine) { lookupOffline(); return; }
    api(base + "/lookup?" + params.toString(), { timeout: WAIT_MS }).then(({ ok, status, data }) => {
      if (seq !== lookups) return;
      if (status >= 500 && offline) { lookupOffline(); return; }
      if (!ok) { showIdentError(errorText(data, status)); return; }
      found(data);
    }, lookupOffline);
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
    const answered = (data, status) => {
      busy = false;
      show($("ident-error"), false);
      lastScreening = { id: data.id, who: person, decision: data.decision, temperature_c: data.temperature_c,
        typed: sentTyped, mask: body.mask };
      // The next person was scanned while this answer travelled: keep their card; the answer
      // is in the last 10.
      if (who === person) renderDecision(data);
      refresh();
    };
    if (!offline) {
      api(cfg.api + "/screenings", { method: "POST", body: JSON.stringify(body) }).then(({ ok, status, data }) => {
        if (!ok) { busy = false; showIdentError(errorText(data, status)); return; }
        answered(data);
      }, () => { busy = false; showIdentError(cfg.text.network); });
      return;
    }
    // Queued first (IndexedDB), so nothing is lost whatever the network does; the server's
    // answer takes it off the queue. The time taken goes with it for a later sync.
    const queued = Object.assign({ occurred_at: offline.now().toISOString() }, body);
    const decideOffline = () => offline.decide(person, queued).then((d) => {
      if (d.error) { busy = false; offline.discard(queued.id); showIdentError(d.error); return; }
      offline.markOffline(queued.id, d);
      answered(d);
    });
    offline.enqueue(queued).then(() => {
      if (!navigator.onLine) { decideOffline(); return; }
      api(cfg.api + "/screenings", { method: "POST", body: JSON.stringify(body), timeout: WAIT_MS }).then(({ ok, status, data }) => {
        if (ok) { offline.settle(queued.id); offline.remember(person, body.direction, data, Date.now()); answered(data); return; }
        if (status >= 500 || status === 429) { decideOffline(); return; }
        // Refused (a typo, a session that ended): not recorded; say why and let them redo it.
        busy = false;
        offline.discard(queued.id);
        showIdentError(errorText(data, status));
      }, decideOffline);
    });
  }

  function renderDecision(d) {
    shown = d.decision;
    outsiderMode = null;
    show($("decision-pass"), false);
    // Someone without a pass of ours may be registered as a visitor; trouble may be an incident.
    show($("decision-visitor"), d.decision === "register");
    show($("decision-incident"), ["register", "deny", "refer"].includes(d.decision));
    const panel = $("decision");
    panel.className = "decision d-" + d.decision + (d.offline ? " offline" : "");
    $("decision-message").dataset.offline = d.offline ? cfg.offline.text.offline_decision : "";
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
    panel.scrollTop = 0;
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
    if (outsiderMode) { retestOutsider(); return; }
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
    outsiderMode = null;
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
  let serverRecent = [];   // the last 10 as the server last told them
  function refresh() {
    const ignore = () => null; // no network: the counts stay as they were
    api(base + "/today").then(({ ok, data }) => { if (ok) $("today-count").textContent = data.total; }, ignore);
    api(base + "/outsiders").then(({ ok, data }) => {
      if (!ok) return;
      $("visit-count").textContent = data.visits.admitted;
      $("delivery-count").textContent = data.deliveries.gate + data.deliveries.entered;
    }, ignore);
    api(base + "/recent").then(({ ok, data }) => {
      if (!ok) return;
      serverRecent = data;
      renderRecent();
    }, ignore);
    renderRecent();
  }
  // The last 10: screenings still on this phone first (dashed, "not synced"), then the server's;
  // a server row it decided otherwise than this phone did offline says so.
  function renderRecent() {
    const local = offline ? offline.localRecent() : [];
    const changed = offline ? offline.changed() : {};
    const known = new Set(serverRecent.map((r) => r.id));
    const rows = local.filter((r) => !known.has(r.id)).concat(serverRecent).slice(0, 10);
    const list = $("recent");
    list.innerHTML = "";
    rows.forEach((r) => {
      const li = document.createElement("li");
      li.className = "d-" + r.decision + (r.state ? " unsynced" : "") + (changed[r.id] ? " changed" : "");
      li.dataset.id = r.id;
      const temp = r.temperature_c != null ? r.temperature_c.toFixed(1) + "°" : "";
      // The person is cut short on a narrow screen; the temperature and decision never are.
      [r.time, r.direction === "in" ? cfg.text.in : cfg.text.out, r.person, temp, cfg.decisions[r.decision] || ""]
        .forEach((text, i) => {
          const span = document.createElement("span");
          span.textContent = text;
          if (i === 2) span.className = "who";
          li.appendChild(span);
        });
      let mark = "";
      if (r.state) mark = cfg.offline.text.not_synced;
      else if (changed[r.id]) {
        const c = changed[r.id];
        mark = cfg.offline.text.changed.replace("{0}", cfg.decisions[c.offline] || c.offline).replace("{1}", cfg.decisions[c.server] || c.server);
      }
      if (mark) {
        const span = document.createElement("span");
        span.className = "mark";
        span.textContent = mark;
        li.appendChild(span);
      }
      list.appendChild(li);
    });
  }
  // After a sync the server's counts and last 10 are news; a queue change only touches the list.
  if (offline) offline.onChange((synced) => (synced ? refresh() : renderRecent()));
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
    if (sheet) { sheetKey(e); return; }
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
  // ==== Outsiders: visitors, delivery riders, incidents, help given ==========================
  // Each is a sheet over the page that posts to the JSON API with a client UUID (a retry is
  // one record). A visit's or a rider's decision shows on the same full-screen panel as a
  // resident's; 复测 there brings the same sheet back with only the reading to take again.
  const out = cfg.outsiders;
  const text = cfg.text;
  let sheet = null;        // the open sheet, or null
  let sheetPad = null;     // its keypad, when its reading is taken on the sheet
  let outsiderLast = null; // the visit or delivery whose decision shows

  // The page's words with numbered blanks: fill("{0} at {1}", a, b).
  function fill(template) {
    const args = Array.prototype.slice.call(arguments, 1);
    return template.replace(/\{(\d)\}/g, (m, i) => String(args[Number(i)]));
  }
  function postJSON(path, body) {
    return api(path, { method: "POST", body: JSON.stringify(body) });
  }
  function setError(el, message) { el.textContent = message || ""; show(el, !!message); }
  // Put the server's refusal under the sheet and mark the fields it names.
  function showErrors(form, el, data, status, fields) {
    form.querySelectorAll(".has-error").forEach((f) => f.classList.remove("has-error"));
    setError(el, errorText(data, status));
    let first = null;
    ((data && data.errors) || []).forEach((err) => {
      const id = fields[err.field || ""];
      const target = id && $(id);
      if (target) { target.classList.add("has-error"); first = first || target; }
    });
    if (first && first.offsetParent !== null) first.scrollIntoView({ block: "center" });
  }
  // Chinese sentences end in 。 and take no space between them; English ones do.
  const sep = cfg.lang === "en" ? " " : "";

  function openSheet(id) {
    next();
    // The scan box under the sheet must not keep the focus (nor a phone's keyboard up).
    $("ident").blur();
    show($("outsider-note"), false);
    document.querySelectorAll(".sheet").forEach((s) => show(s, false));
    sheet = $(id);
    sheet.querySelectorAll(".has-error").forEach((f) => f.classList.remove("has-error"));
    sheet.querySelectorAll(".error").forEach((f) => show(f, false));
    show(sheet, true);
    sheet.scrollTop = 0;
  }
  function closeSheet() {
    if (sheet) show(sheet, false);
    sheet = null;
    sheetPad = null;
    $("ident").focus();
  }
  function say(message, link) {
    const note = $("outsider-note");
    note.textContent = message;
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = " " + text.open_incident;
      note.appendChild(a);
    }
    show(note, true);
  }

  // One choice out of a row of chips (aria-pressed), or none.
  function chips(container) {
    const all = () => Array.from(container.querySelectorAll(".chip"));
    const set = (value) => all().forEach((c) => c.setAttribute("aria-pressed", String(c.dataset.value === value)));
    container.addEventListener("click", (e) => {
      const c = e.target.closest(".chip");
      if (!c) return;
      set(c.dataset.value);
      container.dispatchEvent(new CustomEvent("pick", { detail: c.dataset.value }));
    });
    return {
      value: () => { const c = all().find((x) => x.getAttribute("aria-pressed") === "true"); return c ? c.dataset.value : ""; },
      set: set,
      clear: () => set(null),
    };
  }

  // The card's keypad rules for a sheet: the reading as typed, °F told apart; never auto-confirms.
  function keypad(padEl, outputEl, unitEl) {
    let value = "";
    const render = () => {
      const shownValue = value ? formatTyped(value) : "--.-";
      outputEl.textContent = shownValue;
      const n = Number(shownValue);
      unitEl.textContent = n >= 93.2 && n <= 108 ? "°F" : "°C";
    };
    const pad = {
      value: () => value,
      clear: () => { value = ""; render(); },
      key: (k) => {
        if (k === "back") value = value.slice(0, -1);
        else if (k === "." && value.includes(".")) return;
        else if (value.length < 5) value += k;
        render();
      },
    };
    padEl.addEventListener("click", (e) => { const b = e.target.closest("button"); if (b) pad.key(b.dataset.key); });
    return pad;
  }
  function maskToggle(button) {
    const on = button.textContent;
    const off = on.replace("✓", "✗");
    let value = true;
    const set = (v) => {
      value = v;
      button.classList.toggle("on", v);
      button.setAttribute("aria-pressed", String(v));
      button.textContent = v ? on : off;
    };
    button.addEventListener("click", () => set(!value));
    return { value: () => value, set: set };
  }

  // A type-ahead under an input; the pick shows in a green box with a "change" button.
  // ``keep``: which hits may be picked (a rider's recipient is a household, never an institution).
  function picker(prefix, url, render, emptyText, keep) {
    const input = $(prefix);
    const list = $(prefix + "-list");
    const box = $(prefix + "-picked");
    const label = $(prefix + "-label");
    let picked = null;
    let seq = 0;
    let timer = null;
    function close() { show(list, false); }
    function choose(hit) {
      picked = hit;
      label.textContent = render(hit)[0];
      show(box, true);
      show(input, false);
      close();
      input.classList.remove("has-error");
    }
    function clear() {
      picked = null;
      input.value = "";
      show(box, false);
      show(input, true);
      close();
    }
    function run() {
      const q = input.value.trim();
      if (!q) { close(); return; }
      const mine = ++seq;
      api(url(q)).then(({ ok, data: all }) => {
        if (mine !== seq || !ok || !input.value.trim()) return;
        const data = keep ? all.filter(keep) : all;
        list.innerHTML = "";
        if (!data.length) {
          const li = document.createElement("li");
          li.className = "empty";
          li.textContent = emptyText;
          list.appendChild(li);
        }
        data.forEach((hit) => {
          const li = document.createElement("li");
          const b = document.createElement("button");
          b.type = "button";
          const [main, small] = render(hit);
          b.textContent = main;
          if (small) { const sm = document.createElement("small"); sm.textContent = small; b.appendChild(sm); }
          b.addEventListener("click", () => choose(hit));
          li.appendChild(b);
          list.appendChild(li);
        });
        show(list, true);
      });
    }
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
    input.addEventListener("keydown", (e) => {
      const first = list.querySelector("button");
      if (e.key === "Enter") { e.preventDefault(); if (first && !list.hidden) first.click(); }
      if (e.key === "ArrowDown" && first && !list.hidden) { e.preventDefault(); first.focus(); }
    });
    $(prefix + "-change").addEventListener("click", () => { clear(); input.focus(); });
    return { value: () => picked, set: (hit) => (hit ? choose(hit) : clear()), clear: clear, typed: () => input.value.trim() };
  }

  // In a sheet: Esc closes; digits off the inputs go to the sheet's reading; Enter in a box
  // moves on to the next empty box (the worker submits with the big button).
  function sheetKey(e) {
    if (e.key === "Escape") { e.preventDefault(); closeSheet(); return; }
    const inBox = e.target.closest && e.target.closest("input, textarea, select");
    if (inBox) {
      if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "file" && !e.defaultPrevented) {
        e.preventDefault();
        const boxes = Array.from(sheet.querySelectorAll("input:not([type=file]):not([type=checkbox]), select"))
          .filter((b) => b.offsetParent !== null);
        const after = boxes.slice(boxes.indexOf(e.target) + 1).find((b) => !b.value);
        if (after) after.focus(); else e.target.blur();
      }
      return;
    }
    if (!sheetPad) return;
    if (/^[0-9.,]$/.test(e.key)) { e.preventDefault(); sheetPad.key(e.key === "," ? "." : e.key); }
    else if (e.key === "Backspace") { e.preventDefault(); sheetPad.key("back"); }
  }

  // The decision of a visit or a rider, on the resident's panel.
  function renderOutsider(kind, d, typedReading) {
    sentTyped = typedReading;
    returnee = null;
    const visit = kind === "visitor";
    renderDecision({
      id: d.id,
      decision: d.decision,
      decision_label: d.decision_label,
      reasons: d.reasons,
      message: d.message,
      temperature_c: d.temperature_c,
      temperature_converted_f: d.temperature_converted_f,
      person: visit
        ? d.visitor.name + " · " + d.host.label
        : d.platform_label + " " + d.phone + (d.recipient ? " → " + d.recipient.label : ""),
    });
    outsiderMode = kind;
    outsiderLast = d;
    show($("decision-visitor"), false);
    show($("decision-incident"), d.decision === "deny" || d.decision === "refer");
    if (!visit && d.decision === "admit") {
      $("decision-label").textContent = d.handoff === "entered" ? text.handoff_entered : text.handoff_gate;
    }
    if (visit && d.pass_number) {
      $("pass-qr").src = out.passSvg.replace(out.zero, d.id);
      $("pass-number").textContent = d.pass_number;
      $("pass-note").textContent = fill(text.pass_valid_on, d.local_date);
      show($("decision-pass"), true);
    }
    refresh();
  }

  function retestOutsider() {
    const kind = outsiderMode;
    const d = outsiderLast;
    hideDecision();
    outsiderMode = null;
    if (kind === "visitor") reopenVisitor(d); else reopenDelivery();
  }

  // ---- 访客登记 ----------------------------------------------------------------------------
  const vForm = $("visitor-form");
  const vReasons = chips($("v-reasons"));
  const vPad = keypad($("v-keypad"), $("v-temp"), $("v-unit"));
  const vMask = maskToggle($("v-mask"));
  const vHost = picker(
    "v-host",
    (q) => cfg.api + "/visitors/hosts?checkpoint=" + encodeURIComponent(cfg.checkpoint) + "&q=" + encodeURIComponent(q),
    (h) => [h.label, h.detail],
    text.no_hosts
  );
  const v = { known: null, invitation: null, screening: null, clientId: null, lookups: 0 };
  $("v-reasons").addEventListener("pick", (e) => { $("v-reason").value = e.detail; });
  $("v-reason").addEventListener("input", () => {
    vReasons.set($("v-reason").value.trim());
  });

  function part(name, on) { vForm.querySelectorAll('[data-part="' + name + '"]').forEach((el) => show(el, on)); }
  function visitorDocumentShown() {
    // A known visitor's stored document stands; otherwise the policy says (the invitation too).
    const known = v.known || (v.invitation && v.invitation.visitor);
    if (known) return out.documentRequired && !known.id_masked;
    return true;
  }

  function openVisitor(opts) {
    openSheet("visitor-sheet");
    Object.assign(v, { known: null, invitation: null, screening: null, clientId: uuid() });
    ["v-phone", "v-name", "v-id-number", "v-reason"].forEach((id) => { $(id).value = ""; });
    $("v-id-type").selectedIndex = 0;
    vHost.clear();
    vReasons.clear();
    vPad.clear();
    vMask.set(true);
    show($("v-known"), false);
    show($("v-invitation"), false);
    show($("v-screening"), false);
    const o = opts || {};
    if (o.invitation) {
      v.invitation = o.invitation;
      const inv = o.invitation;
      const lines = [text.invitation + " " + inv.code + " · " + inv.visit_date, inv.visitor.name + " " + inv.visitor.phone,
        inv.host.label + " · " + inv.reason];
      if (inv.status === "used") lines.push(text.invitation_used);
      else if (inv.visit_date !== today()) lines.push(text.invitation_other_day + " " + inv.visit_date);
      $("v-invitation").textContent = lines.join("\n");
      show($("v-invitation"), true);
    }
    if (o.screening) {
      v.screening = o.screening;
      const s = o.screening;
      $("v-screening").textContent = fill(text.from_screening,
        (s.temperature_c == null ? "--.-" : s.temperature_c.toFixed(1)) + " °C", s.mask ? text.mask_on : text.mask_off);
      show($("v-screening"), true);
    }
    layoutVisitor();
    if (o.idNumber) {
      $("v-id-number").value = o.idNumber;
      if (o.idType) $("v-id-type").value = o.idType;
      lookupVisitor({ document: o.idNumber, id_type: $("v-id-type").value });
    }
    if (!o.invitation) $("v-phone").focus();
  }
  function today() {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: cfg.timezone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date());
    const get = (t) => parts.find((p) => p.type === t).value;
    return get("year") + "-" + get("month") + "-" + get("day");
  }
  // Which parts of the form show: an invitation brings who, whom and why; a known visitor
  // brings who; the register answer brings the reading.
  function layoutVisitor() {
    const inv = !!v.invitation;
    part("visitor", !inv);
    show($("v-new"), !inv && !v.known);
    part("document", inv ? visitorDocumentShown() : !v.known || visitorDocumentShown());
    part("host", !inv);
    part("reason", !inv);
    part("reading", !v.screening);
    // A known visitor's reason comes back: the chips give way to the keypad.
    vForm.classList.toggle("known-visitor", !!v.known);
    sheetPad = v.screening ? null : vPad;
  }

  function applyKnown(p) {
    v.known = p;
    $("v-known-name").textContent = p.name + " " + p.phone + (p.id_masked ? " " + p.id_masked : "");
    $("v-known-detail").textContent = (p.visits
      ? fill(text.visit_known, p.visits, p.last_visit_on || "—") : "")
      + (p.on_site ? "\n" + text.on_site_open : "");
    show($("v-known"), true);
    if (p.host && !vHost.value()) vHost.set(p.host);
    if (p.reason && !$("v-reason").value.trim()) { $("v-reason").value = p.reason; vReasons.set(p.reason); }
    layoutVisitor();
    if (document.activeElement && document.activeElement.tagName === "INPUT") document.activeElement.blur();
    // Only the reading is left: who it is, the keypad and the confirm button on one screen.
    if (sheetPad) $("v-known").scrollIntoView({ block: "start" });
  }
  function forgetKnown() {
    v.known = null;
    show($("v-known"), false);
    layoutVisitor();
  }
  function lookupVisitor(params) {
    const mine = ++v.lookups;
    const q = new URLSearchParams(Object.assign({ checkpoint: cfg.checkpoint }, params));
    api(cfg.api + "/visitors/lookup?" + q.toString()).then(({ ok, data }) => {
      if (mine !== v.lookups || !sheet || v.invitation) return;
      if (ok && data.found) applyKnown(data.visitor);
      else if (ok && v.known && params.phone) forgetKnown();
    });
  }
  $("v-phone").addEventListener("input", () => {
    const digits = $("v-phone").value.normalize("NFKC").replace(/\D/g, "");
    const national = digits.startsWith("86") && digits.length === 13 ? digits.slice(2) : digits;
    if (/^1\d{10}$/.test(national)) lookupVisitor({ phone: national });
  });
  $("v-id-number").addEventListener("input", () => {
    const number = $("v-id-number").value.normalize("NFKC").replace(/\s/g, "");
    if ($("v-id-type").value === "resident_id" && /^\d{17}[\dXx]$/.test(number) && !v.known) {
      lookupVisitor({ document: number, id_type: "resident_id" });
    }
  });
  $("v-id-number").addEventListener("change", () => {
    const number = $("v-id-number").value.trim();
    if (number.length >= 6 && !v.known) lookupVisitor({ document: number, id_type: $("v-id-type").value });
  });
  $("v-not-them").addEventListener("click", () => {
    forgetKnown();
    vHost.clear();
    vReasons.clear();
    $("v-reason").value = "";
    $("v-name").focus();
  });

  vForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy) return;
    const err = $("v-error");
    if (!v.invitation && !vHost.value() && vHost.typed()) {
      setError(err, text.pick_host);
      $("v-host").classList.add("has-error");
      return;
    }
    const body = { id: v.clientId, checkpoint: cfg.checkpoint, mask: v.screening ? v.screening.mask : vMask.value() };
    const number = $("v-id-number").value.trim();
    const documentIn = number ? { id_type: $("v-id-type").value, id_number: number } : {};
    if (v.invitation) {
      body.invitation = v.invitation.code;
      if (number) body.visitor = documentIn;
    } else {
      const phone = $("v-phone").value.trim();
      body.visitor = Object.assign(
        v.known ? { id: v.known.id } : { name: $("v-name").value.trim() },
        phone ? { phone: phone } : {},
        documentIn
      );
      const host = vHost.value();
      if (host) body.host = { kind: host.kind, id: host.id };
      const reason = $("v-reason").value.trim();
      if (reason) body.reason = reason;
    }
    const typedReading = vPad.value();
    if (v.screening) body.screening = v.screening.id;
    else if (typedReading) body.temperature = typedReading;
    busy = true;
    postJSON(cfg.api + "/visits", body).then(({ ok, status, data }) => {
      busy = false;
      if (!ok) {
        if (status === 409) v.clientId = uuid();
        showErrors(vForm, err, data, status, VISIT_FIELDS);
        return;
      }
      closeSheet();
      renderOutsider("visitor", data, typedReading);
    }, () => { busy = false; setError(err, text.network); });
  });
  const VISIT_FIELDS = {
    "visitor.name": "v-name", "visitor.phone": "v-phone", "visitor.id_number": "v-id-number",
    "visitor.id_type": "v-id-type", host: "v-host", reason: "v-reason", temperature: "v-keypad",
  };

  // 复测 of a visit: the same visitor, host and reason; only the reading again.
  function reopenVisitor(d) {
    openSheet("visitor-sheet");
    const known = { id: d.visitor.id, name: d.visitor.name, phone: d.visitor.phone, id_masked: d.visitor.id_masked,
      visits: 0, last_visit_on: d.local_date, host: null, reason: "", on_site: false };
    Object.assign(v, { invitation: null, screening: null, clientId: uuid() });
    vPad.clear();
    applyKnown(known);
    vHost.set({ kind: d.host.kind, id: d.host.id, label: d.host.label, detail: "" });
    $("v-reason").value = d.reason;
    vReasons.set(d.reason);
    $("v-keypad").scrollIntoView({ block: "end" });
  }

  // ---- invitations: a scanned QR (SWI1.…) or a typed 8-character code --------------------
  function invitationCode(raw) {
    const t = raw.normalize("NFKC").trim();
    if (/^(\\0\d{5}|\]Q\d)*SWI1\./.test(t)) return { qr: t };
    const compact = t.replace(/[\s-]/g, "").toUpperCase();
    if (/^[34679ACDEFGHJKMNPQRTUVWXY]{8}$/.test(compact)) return { code: compact };
    return null;
  }
  function findInvitation(invite, raw) {
    const seq = ++lookups;
    const q = new URLSearchParams({ checkpoint: cfg.checkpoint, code: invite.qr || invite.code });
    api(cfg.api + "/invitations/lookup?" + q.toString()).then(({ ok, status, data }) => {
      if (seq !== lookups) return;
      if (ok) { $("ident").value = ""; openVisitor({ invitation: data }); return; }
      // A typed code that names no invitation may still be a pass number or a name.
      if (invite.code && status === 404) { identifyAs(raw); return; }
      showIdentError(errorText(data, status));
    }, () => { if (seq === lookups) showIdentError(text.network); });
  }

  // ---- 外卖快递 ----------------------------------------------------------------------------
  const dForm = $("delivery-form");
  const dPlatform = chips($("d-platforms"));
  const dPad = keypad($("d-keypad"), $("d-temp"), $("d-unit"));
  const dMask = maskToggle($("d-mask"));
  const dRecipient = picker(
    "d-recipient",
    (q) => cfg.api + "/visitors/hosts?checkpoint=" + encodeURIComponent(cfg.checkpoint) + "&q=" + encodeURIComponent(q),
    (h) => [h.label, h.detail],
    text.no_hosts,
    (h) => h.kind === "household"
  );
  let dClientId = null;
  $("d-platforms").addEventListener("pick", () => {
    $("d-platforms").classList.remove("has-error");
    setError($("d-error"), "");
    $("d-phone").focus();
  });
  function openDelivery() {
    openSheet("delivery-sheet");
    dClientId = uuid();
    dPlatform.clear();
    $("d-phone").value = "";
    dRecipient.clear();
    dPad.clear();
    dMask.set(true);
    if ($("d-enter")) $("d-enter").checked = false;
    sheetPad = dPad;
  }
  function reopenDelivery() {
    openSheet("delivery-sheet");
    dClientId = uuid();
    dPad.clear();
    sheetPad = dPad;
    $("d-keypad").scrollIntoView({ block: "end" });
  }
  dForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy) return;
    const err = $("d-error");
    if (!dPlatform.value()) { setError(err, text.pick_platform); $("d-platforms").classList.add("has-error"); return; }
    if (!dRecipient.value() && dRecipient.typed()) { setError(err, text.pick_host); $("d-recipient").classList.add("has-error"); return; }
    const body = { id: dClientId, checkpoint: cfg.checkpoint, platform: dPlatform.value(), phone: $("d-phone").value.trim(),
      mask: dMask.value() };
    const typedReading = dPad.value();
    if (typedReading) body.temperature = typedReading;
    const r = dRecipient.value();
    if (r) body.recipient = r.id;
    if ($("d-enter") && $("d-enter").checked) body.enter = true;
    busy = true;
    postJSON(cfg.api + "/deliveries", body).then(({ ok, status, data }) => {
      busy = false;
      if (!ok) {
        if (status === 409) dClientId = uuid();
        showErrors(dForm, err, data, status, { phone: "d-phone", recipient: "d-recipient", platform: "d-platforms", temperature: "d-keypad" });
        return;
      }
      closeSheet();
      renderOutsider("delivery", data, typedReading);
    }, () => { busy = false; setError(err, text.network); });
  });

  // ---- 记录事件 ----------------------------------------------------------------------------
  const iForm = $("incident-form");
  const iKind = chips($("i-kinds"));
  const iSeverity = chips($("i-severities"));
  const inc = { clientId: null, screening: null, saved: null };
  $("i-kinds").addEventListener("pick", () => { $("i-kinds").classList.remove("has-error"); if (!inc.saved) setError($("i-error"), ""); });
  // ``o.screening``: prefill from this screening (the last at this gate); ``o.people``: who, in
  // words (a visitor or rider just refused, who has no screening).
  function openIncident(o) {
    const from = o.screening;
    openSheet("incident-sheet");
    Object.assign(inc, { clientId: uuid(), screening: null, saved: null });
    iKind.clear();
    iSeverity.set("medium");
    ["i-people", "i-description", "i-photo"].forEach((id) => { $(id).value = ""; });
    $("i-photo-name").textContent = "";
    iForm.querySelectorAll('[data-part="incident"]').forEach((el) => show(el, true));
    show($("i-linked"), false);
    show($("i-done"), false);
    show($("i-open"), false);
    $("i-submit").textContent = $("i-submit").dataset.label;
    if (o.people) $("i-people").value = o.people;
    if (!from) return;
    api(cfg.api + "/incidents/prefill?screening=" + encodeURIComponent(from.id)).then(({ ok, data }) => {
      if (!ok || sheet !== $("incident-sheet") || inc.saved) return;
      inc.screening = data.screening;
      const at = new Intl.DateTimeFormat("zh-CN", { timeZone: cfg.timezone, hour: "2-digit", minute: "2-digit", hour12: false })
        .format(new Date(data.occurred_at));
      $("i-linked-text").textContent = fill(text.linked_to, at, data.person || text.unnamed, cfg.decisions[from.decision] || "");
      show($("i-linked"), true);
      if (!iKind.value()) iKind.set(data.kind);
    });
  }
  $("i-unlink").addEventListener("click", () => { inc.screening = null; show($("i-linked"), false); $("i-people").focus(); });
  $("i-submit").dataset.label = $("i-submit").textContent;
  $("i-photo").addEventListener("change", () => {
    const file = $("i-photo").files[0];
    $("i-photo-name").textContent = file ? file.name : "";
    $("i-photo-field").classList.remove("has-error");
  });

  function uploadPhoto(incident) {
    const file = $("i-photo").files[0];
    const err = $("i-error");
    const form = new FormData();
    form.append("photo", file);
    busy = true;
    fetch(cfg.api + "/incidents/" + incident.id + "/photo", {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json", "Accept-Language": lang },
    }).then((r) => r.json().catch(() => ({})).then((data) => ({ ok: r.ok, status: r.status, data: data })))
      .then(({ ok, status, data }) => {
        busy = false;
        if (ok) { incidentDone(incident, true); return; }
        // The incident stands; only the photo is refused: say why, and offer another try.
        iForm.querySelectorAll('[data-part="incident"]').forEach((el) => show(el, false));
        show($("i-linked"), false);
        setError(err, text.photo_failed + sep + errorText(data, status));
        $("i-photo-field").classList.add("has-error");
        $("i-submit").textContent = text.photo_retry;
        $("i-open").href = out.incidentPage.replace(out.zero, incident.id);
        show($("i-open"), true);
      }, () => { busy = false; setError(err, text.network); });
  }
  function incidentDone(incident, withPhoto) {
    closeSheet();
    say(fill(text.incident_saved, incident.kind_label) + (withPhoto ? sep + text.photo_saved : ""),
      out.incidentPage.replace(out.zero, incident.id));
  }
  iForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy) return;
    const err = $("i-error");
    const hasPhoto = $("i-photo").files.length > 0;
    if (inc.saved) {
      if (hasPhoto) uploadPhoto(inc.saved); else incidentDone(inc.saved, false);
      return;
    }
    if (!iKind.value()) { setError(err, text.pick_kind); $("i-kinds").classList.add("has-error"); return; }
    const body = { id: inc.clientId, checkpoint: cfg.checkpoint, kind: iKind.value(), severity: iSeverity.value() || "medium",
      people: $("i-people").value.trim(), description: $("i-description").value.trim() };
    if (inc.screening) body.screening = inc.screening;
    busy = true;
    postJSON(cfg.api + "/incidents", body).then(({ ok, status, data }) => {
      busy = false;
      if (!ok) {
        if (status === 409) inc.clientId = uuid();
        showErrors(iForm, err, data, status, { people: "i-people", kind: "i-kinds", severity: "i-severities", description: "i-description" });
        return;
      }
      inc.saved = data;
      setError(err, "");
      if (hasPhoto) uploadPhoto(data); else incidentDone(data, false);
    }, () => { busy = false; setError(err, text.network); });
  });

  // ---- 便民服务 ----------------------------------------------------------------------------
  const sForm = $("service-form");
  const sKind = chips($("s-kinds"));
  const sResident = picker(
    "s-resident",
    (q) => base + "/people?q=" + encodeURIComponent(q),
    (p) => [p.masked_name + " " + p.id_masked, p.where],
    text.no_people,
    (p) => p.kind === "resident"
  );
  let sClientId = null;
  $("s-kinds").addEventListener("pick", () => { $("s-kinds").classList.remove("has-error"); setError($("s-error"), ""); });
  function openService() {
    openSheet("service-sheet");
    sClientId = uuid();
    sKind.clear();
    sResident.clear();
    ["s-person", "s-note"].forEach((id) => { $(id).value = ""; });
  }
  sForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy) return;
    const err = $("s-error");
    if (!sKind.value()) { setError(err, text.pick_service); $("s-kinds").classList.add("has-error"); return; }
    const body = { id: sClientId, checkpoint: cfg.checkpoint, kind: sKind.value(), person: $("s-person").value.trim(),
      note: $("s-note").value.trim() };
    const r = sResident.value();
    if (r) body.resident = r.id;
    busy = true;
    postJSON(cfg.api + "/services", body).then(({ ok, status, data }) => {
      busy = false;
      if (!ok) {
        if (status === 409) sClientId = uuid();
        showErrors(sForm, err, data, status, { person: "s-person", resident: "s-resident", kind: "s-kinds", note: "s-note" });
        return;
      }
      closeSheet();
      say(text.service_saved + " " + data.kind_label);
    }, () => { busy = false; setError(err, text.network); });
  });

  // ---- wiring of the outsiders -------------------------------------------------------------
  document.querySelectorAll(".sheet [data-close]").forEach((b) => b.addEventListener("click", closeSheet));
  $("open-visitor").addEventListener("click", () => openVisitor({}));
  $("open-delivery").addEventListener("click", openDelivery);
  $("open-incident").addEventListener("click", () => openIncident({ screening: lastScreening }));
  $("open-service").addEventListener("click", openService);
  $("decision-visitor").addEventListener("click", () => {
    const s = lastScreening;
    const from = s && s.who ? s.who : {};
    openVisitor({ screening: s, idNumber: from.id_number, idType: from.id_type });
  });
  $("decision-incident").addEventListener("click", () => {
    if (outsiderMode) openIncident({ people: $("decision-person").textContent });
    else openIncident({ screening: lastScreening });
  });


  // ---- duty: 上岗签到 / 下岗签退 at this gate (the service refuses a sign-in while signed in
  // at another gate, in words shown under the buttons) -------------------------------------------
  const duty = cfg.duty;
  let dutyBusy = false;
  function localHM(iso) { return iso ? iso.slice(11, 16) : ""; } // the API answers in local time
  function setDuty(state, words) {
    $("duty").className = "duty " + state;
    $("duty-status").textContent = words;
    show($("duty-in"), state !== "here");
    show($("duty-out"), state !== "off");
  }
  function dutyPost(url, body, done) {
    if (dutyBusy) return;
    dutyBusy = true;
    api(url, { method: "POST", body: JSON.stringify(body) }).then(({ ok, status, data }) => {
      dutyBusy = false;
      if (!ok) { $("duty-error").textContent = errorText(data, status); show($("duty-error"), true); return; }
      show($("duty-error"), false);
      done(data);
    }, () => { dutyBusy = false; $("duty-error").textContent = cfg.text.network; show($("duty-error"), true); });
  }
  if (duty && $("duty")) {
    $("duty-in").addEventListener("click", () => dutyPost(duty.signIn, { checkpoint: cfg.checkpoint },
      (a) => setDuty("here", fill(duty.text.here, localHM(a.signed_in_at)))));
    $("duty-out").addEventListener("click", () => dutyPost(duty.signOut, {},
      (a) => setDuty("off", fill(duty.text.signed_out, localHM(a.signed_out_at), (a.hours || 0).toFixed(1)))));
  }

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
