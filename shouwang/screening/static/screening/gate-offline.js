// The gate page with no network (issue 8, "Offline gates"): a queue of screenings in IndexedDB,
// the gate's offline bundle (public key, revoked passes, this community's passes, policy), a
// pass QR verified with WebCrypto Ed25519, and the gate decision for what can be known offline,
// the same rules as shouwang/screening/decision.py. The queue goes to POST /screenings/batch when
// the network is back; the server's decision is the record. Used by gate.js as window.shouwangOffline.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("gate-config").textContent);
  const off = cfg.offline;
  const text = off.text;
  const $ = (id) => document.getElementById(id);
  const csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  const lang = cfg.lang === "en" ? "en" : "zh-CN";
  const BATCH_MAX = 500;
  const RETRY_MIN_MS = 5000;
  const RETRY_MAX_MS = 5 * 60 * 1000;
  const SYNC_EVERY_MS = 60 * 1000;

  // ---- IndexedDB (an in-memory stand-in where it cannot open: nothing kept past a reload) ----
  const memory = { queue: new Map(), kv: new Map() };
  const dbReady = new Promise((resolve) => {
    if (!("indexedDB" in window)) { resolve(null); return; }
    let req;
    try { req = indexedDB.open("shouwang-gate", 1); } catch (e) { resolve(null); return; }
    req.onupgradeneeded = () => {
      req.result.createObjectStore("queue", { keyPath: "id" });
      req.result.createObjectStore("kv");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
  });
  function store(name, mode, work) {
    return dbReady.then((db) => {
      if (!db) return work(null);
      return new Promise((resolve, reject) => {
        const t = db.transaction(name, mode);
        let out;
        const r = work(t.objectStore(name));
        if (r) r.onsuccess = () => { out = r.result; };
        t.oncomplete = () => resolve(out);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error);
      });
    });
  }
  const queueAll = () => store("queue", "readonly", (s) => (s ? s.getAll() : null))
    .then((rows) => rows || [...memory.queue.values()]);
  const queuePut = (item) => store("queue", "readwrite", (s) => (s ? s.put(item) : void memory.queue.set(item.id, item)));
  const queueDelete = (id) => store("queue", "readwrite", (s) => (s ? s.delete(id) : void memory.queue.delete(id)));
  const kvGet = (key) => store("kv", "readonly", (s) => (s ? s.get(key) : null)).then((v) => (v === undefined || v === null ? memory.kv.get(key) : v));
  const kvPut = (key, value) => store("kv", "readwrite", (s) => (s ? s.put(value, key) : void memory.kv.set(key, value)));

  // ---- time: the device clock corrected by the server's Date header -------------------------
  let skewMs = 0;
  function noteServerTime(response) {
    const date = Date.parse(response.headers.get("Date") || "");
    if (!Number.isNaN(date)) skewMs = date - Date.now();
  }
  const now = () => new Date(Date.now() + skewMs);
  const localDate = new Intl.DateTimeFormat("en-CA", { timeZone: cfg.timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  const localHM = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.timezone, hour: "2-digit", minute: "2-digit", hour12: false });
  const today = () => localDate.format(now()); // YYYY-MM-DD, the gate's local day
  const hm = (date) => localHM.format(date);

  // ---- the bundle ---------------------------------------------------------------------------
  let bundle = null;
  let revoked = new Set();
  const bundleKey = "bundle:" + cfg.checkpoint;
  function useBundle(b) {
    bundle = b;
    revoked = new Set((b && b.revoked ? b.revoked : []).map((r) => r.number));
  }
  function refreshBundle() {
    const headers = { Accept: "application/json", "Accept-Language": lang };
    if (bundle && bundle.version) headers["If-None-Match"] = '"' + bundle.version + '"';
    return fetch(off.bundle, { headers: headers, credentials: "same-origin", cache: "no-store" }).then((r) => {
      noteServerTime(r);
      if (r.status === 304) return bundle;
      if (!r.ok) throw Object.assign(new Error("bundle " + r.status), { status: r.status });
      return r.json().then((b) => kvPut(bundleKey, b).then(() => { useBundle(b); return b; }));
    });
  }

  // ---- a scanned pass, verified offline (passes/signing.py, version 1) ------------------------
  const ECI = /^(?:\\0\d{5}|\]Q\d|\]C\d|\]d\d)+/;
  function stripEci(raw) { return raw.trim().split("\u0000").join("").replace(ECI, "").trim(); }
  function unb64(s) {
    if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new Error("base64");
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  let keyPromise = null;
  let keyFor = null;
  function publicKey() {
    if (keyFor !== bundle.key.public) {
      keyFor = bundle.key.public;
      keyPromise = crypto.subtle.importKey("raw", unb64(bundle.key.public), { name: "Ed25519" }, false, ["verify"]);
    }
    return keyPromise;
  }
  // {identity: "pass", number, community, valid_until} | {identity: "forged" | "not_a_pass" | "visitor"}
  function verifyQr(raw) {
    const t = stripEci(raw);
    const parts = t.split(".");
    if (/^SW[VI]1\./.test(t)) return Promise.resolve({ identity: "visitor" });
    if (parts.length !== 6 || parts[0] !== "SW1" || !/^\d{8}$/.test(parts[4])) return Promise.resolve({ identity: "not_a_pass" });
    let sig;
    try { sig = unb64(parts[5]); } catch (e) { return Promise.resolve({ identity: "not_a_pass" }); }
    const until = parts[4].slice(0, 4) + "-" + parts[4].slice(4, 6) + "-" + parts[4].slice(6);
    if (parts[1] !== bundle.key.id) return Promise.resolve({ identity: "forged" });
    if (!(window.crypto && crypto.subtle)) return Promise.resolve({ identity: "unverifiable" });
    const signed = new TextEncoder().encode(t.slice(0, t.lastIndexOf(".")));
    return publicKey().then((key) => crypto.subtle.verify({ name: "Ed25519" }, key, sig, signed)).then(
      (ok) => (ok ? { identity: "pass", number: parts[2], community: parts[3], valid_until: until } : { identity: "forged" }),
      () => ({ identity: "unverifiable" })
    );
  }

  // Who is this, from the bundle: {facts} for the decision and {card} for the page, or {error}.
  function identify(ident) {
    if (!bundle) return Promise.resolve({ error: text.no_bundle });
    if (ident.qr) {
      return verifyQr(ident.qr).then((claim) => {
        if (claim.identity === "visitor" || claim.identity === "unverifiable") return { error: text.ident };
        if (claim.identity !== "pass") return facts(claim.identity, null, null);
        if (claim.community !== bundle.checkpoint.community) {
          return facts("pass", claim.number, { valid_from: "0000-01-01", valid_until: claim.valid_until, other: true });
        }
        // A genuine pass issued after the bundle was made: its signed claim is what is known.
        const entry = bundle.passes[claim.number] || { valid_from: "0000-01-01", valid_until: claim.valid_until, allowed_here: true };
        return facts("pass", claim.number, entry);
      });
    }
    if (ident.pass_number) {
      const number = ident.pass_number.normalize("NFKC").trim().toUpperCase();
      const entry = bundle.passes[number];
      if (entry) return Promise.resolve(facts("pass", number, entry));
      if (revoked.has(number)) return Promise.resolve(facts("pass", number, { valid_from: "0000-01-01", valid_until: "9999-12-31" }));
      return Promise.resolve({ error: text.pass_unknown });
    }
    return Promise.resolve({ error: text.ident });
  }
  function facts(identity, number, entry) {
    const f = { identity: identity, number: number, pass: null, quarantine_until: null, referred_at: null, person: "" };
    if (entry) {
      f.pass = { valid_from: entry.valid_from, valid_until: entry.valid_until, revoked: revoked.has(number),
        other: !!entry.other, allowed_here: entry.allowed_here !== false };
      f.quarantine_until = entry.other ? null : entry.quarantine_until || null;
      f.referred_at = entry.referred_at || null;
      f.person = entry.person || "";
      f.type = entry.type || "";
    }
    return { facts: f, card: cardOf(f) };
  }
  function passStatus(p, day) {
    if (p.revoked) return "revoked";
    if (day < p.valid_from) return "not_yet_valid";
    if (day > p.valid_until) return "expired";
    return "valid";
  }
  function cardOf(f) {
    const day = today();
    const inQuarantine = !!(f.quarantine_until && day <= f.quarantine_until);
    const notes = { forged: "pass_forged", not_a_pass: "not_a_pass", unknown: "person_unknown" };
    return {
      identity: f.identity,
      person: f.person || (f.pass ? text.person_offline : ""),
      where: "",
      pass: f.pass ? { type: f.type || "", number: f.number, status: passStatus(f.pass, day), valid_until: f.pass.valid_until, picture: null } : null,
      quarantine_until: f.quarantine_until,
      in_quarantine: inQuarantine,
      resident: null,
      member: null,
      note: notes[f.identity] ? words(notes[f.identity], {}) : "",
      offline: true,
    };
  }

  // ---- temperature (screening/temperature.py) ---------------------------------------------
  const UNIT = /\s*(°\s*[cf]|℃|℉|[cf]|度)\s*$/i;
  function parseTemperature(raw, policy) {
    if (raw === undefined || raw === null) return { celsius: null };
    const typed = String(raw);
    let t = typed.normalize("NFKC").trim().replace(/[,，]/g, ".");
    if (!t) return { celsius: null };
    let unit = "";
    const m = t.match(UNIT);
    if (m) { unit = /f|℉/i.test(m[1]) ? "f" : "c"; t = t.slice(0, m.index).trim(); }
    if (!/^\d{1,4}(\.\d{1,3})?$/.test(t)) return { unreadable: true, celsius: null };
    const fMin = Number(policy.fahrenheit_min), fMax = Number(policy.fahrenheit_max);
    let value = Number(t);
    let isF = unit === "f" || (unit === "" && value >= fMin && value <= fMax);
    if (typeof raw === "string" && unit !== "f" && /^\d{3,4}$/.test(t)) {
      const tenths = value / 10;
      const wholeF = isF && !(tenths >= 30 && tenths <= 45);
      if (!wholeF) { value = tenths; isF = unit === "" && value >= fMin && value <= fMax; }
    }
    const tenthsC = isF ? ((value - 32) * 50) / 9 : value * 10;
    const celsius = Math.floor(tenthsC + 0.5 + 1e-9) / 10; // one decimal, half up
    return { celsius: celsius, converted: isF,
      plausible: celsius >= Number(policy.plausible_min_c) && celsius <= Number(policy.plausible_max_c) };
  }

  // ---- the decision (screening/decision.py) ----------------------------------------------
  const SEVERITY = ["refer", "deny", "retest", "register", "admit"];
  function passProblems(p, day) {
    if (p.revoked) return ["pass_revoked"];
    if (p.other) return ["pass_other_community"];
    if (day < p.valid_from) return ["pass_not_yet_valid"];
    if (day > p.valid_until) return ["pass_expired"];
    if (!p.allowed_here) return ["pass_checkpoint_not_allowed"];
    return [];
  }
  function gateOpen(at) {
    const c = bundle.checkpoint;
    if (!c.opens_at || !c.closes_at) return true;
    const t = hm(at);
    return c.opens_at <= c.closes_at ? c.opens_at <= t && t < c.closes_at : t >= c.opens_at || t < c.closes_at;
  }
  function decide(g, policy) {
    const found = [];
    const params = {};
    const goingIn = g.direction === "in";
    if (g.identity === "forged") found.push(["deny", "pass_forged"]);
    else if (g.identity === "not_a_pass") found.push([goingIn ? "register" : "admit", "not_a_pass"]);
    else if (g.identity === "unknown") found.push([goingIn ? "register" : "admit", "person_unknown"]);
    else if (g.identity === "pass" && g.pass) {
      const problems = passProblems(g.pass, g.today);
      problems.forEach((code) => found.push([goingIn ? "deny" : "admit", code]));
      if (!problems.length) found.push(["admit", "pass_valid"]);
      params.until = g.pass.valid_until;
      params.since = g.pass.valid_from;
    }
    if (!g.open) { found.push(["deny", "checkpoint_closed"]); params.hours = bundle.checkpoint.hours; }
    if (goingIn && g.referred_since) { found.push(["refer", "fever_referred_recently"]); params.referred_at = g.referred_since; }
    if (g.quarantine_until && g.today <= g.quarantine_until) {
      params.until = g.quarantine_until;
      found.push(goingIn ? ["admit", "quarantine_noted"] : ["deny", "quarantine_active"]);
    }
    const maskRequired = goingIn ? policy.mask_required_in : policy.mask_required_out;
    if (g.mask === false && maskRequired) found.push(["deny", "no_mask"]);
    else if (g.mask == null && maskRequired) found.push(["admit", "mask_unchecked"]);
    const r = g.reading;
    if (goingIn || policy.temperature_on_exit || r.celsius != null) {
      if (r.celsius == null) found.push(["retest", "temperature_missing"]);
      else {
        params.c = r.celsius.toFixed(1);
        if (r.converted) found.push(["admit", "temperature_converted_f"]);
        if (!r.plausible) found.push(["retest", "temperature_implausible"]);
        else if (r.celsius >= Number(policy.fever_c)) {
          const earlier = g.previous_retest;
          found.push(earlier.includes("fever_first_reading") || earlier.includes("fever_confirmed")
            ? ["refer", "fever_confirmed"] : ["retest", "fever_first_reading"]);
        } else found.push(["admit", g.previous_retest.length ? "retest_normal" : "temperature_normal"]);
      }
    }
    const rank = (d) => SEVERITY.indexOf(d);
    found.sort((a, b) => rank(a[0]) - rank(b[0]));
    const decision = found.length ? found[0][0] : "admit";
    const reasons = [...new Set(found.map((f) => f[1]))];
    return { decision: decision, reasons: reasons, params: params };
  }
  function words(code, params) {
    const t = off.reasons[code] || code;
    return t.replace(/\{(\w+)\}/g, (all, name) => (name in params ? params[name] : all));
  }

  // Earlier screenings on this device (online answers and offline decisions), for the retest
  // and the referral hold: {key, direction, decision, reasons, at (ms)}.
  const history = [];
  function personKey(who) {
    if (who.pass_number) return "n:" + who.pass_number.normalize("NFKC").trim().toUpperCase();
    if (who.qr) { const p = stripEci(who.qr).split("."); if (p.length === 6 && p[0] === "SW1") return "n:" + p[2]; }
    return "j:" + JSON.stringify(who);
  }
  function remember(who, direction, result, atMs) {
    history.unshift({ key: personKey(who), direction: direction, decision: result.decision, reasons: result.reasons || [], at: atMs });
    history.length = Math.min(history.length, 200);
  }

  // The offline decision for a screening body (as gate.js posts it) of the person ``who``.
  function decideOffline(who, body) {
    return identify(who).then((found) => {
      if (found.error) return { error: found.error };
      const f = found.facts;
      const policy = bundle.policy;
      const reading = parseTemperature(body.temperature, policy);
      if (reading.unreadable) return { error: words("temperature_unreadable", { raw: String(body.temperature) }) };
      const at = new Date(body.occurred_at);
      const key = personKey(who);
      const retestSince = at.getTime() - Math.max(policy.retest_window_s, policy.duplicate_window_s) * 1000;
      const here = history.find((h) => h.key === key && h.direction === body.direction);
      const previous = here && here.at >= retestSince && here.decision === "retest" ? here.reasons : [];
      const holdSince = at.getTime() - policy.referral_hold_s * 1000;
      const referrals = history.filter((h) => h.key === key && h.decision === "refer" && h.at >= holdSince).map((h) => h.at);
      if (f.referred_at && Date.parse(f.referred_at) >= holdSince) referrals.push(Date.parse(f.referred_at));
      const outcome = decide({
        identity: f.identity, direction: body.direction, today: localDate.format(at), pass: f.pass,
        quarantine_until: f.quarantine_until, reading: reading, mask: body.mask, previous_retest: previous,
        open: gateOpen(at), referred_since: referrals.length ? hm(new Date(Math.max(...referrals))) : null,
      }, policy);
      const result = {
        id: body.id, decision: outcome.decision, decision_label: cfg.decisions[outcome.decision] || outcome.decision,
        reasons: outcome.reasons, person: f.person || (f.pass ? text.person_offline : ""),
        message: outcome.reasons.map((c) => words(c, outcome.params)).join(lang === "en" ? " " : ""),
        temperature_c: reading.celsius, temperature_converted_f: !!reading.converted, offline: true,
      };
      remember(who, body.direction, result, at.getTime());
      return result;
    });
  }

  // ---- the queue ----------------------------------------------------------------------------
  // Each item: the screening body (id, occurred_at, checkpoint, direction, identifier, temperature,
  // mask) plus state "pending" | "refused", the offline decision and the refusal's words.
  let snapshot = [];
  let changed = [];
  let lastSync = null;
  let problem = "";
  const listeners = [];
  function emit(synced) {
    return queueAll().then((rows) => {
      snapshot = rows.sort((a, b) => (a.occurred_at < b.occurred_at ? 1 : -1));
      renderStrip();
      listeners.forEach((fn) => fn(synced === true));
    });
  }
  function enqueue(body) {
    return queuePut({ body: body, id: body.id, occurred_at: body.occurred_at, state: "pending", offline: null, error: "" }).catch(() => null);
  }
  function markOffline(id, result) {
    return queueAll().then((rows) => {
      const item = rows.find((r) => r.id === id);
      if (!item) return null;
      item.offline = { decision: result.decision, person: result.person, temperature_c: result.temperature_c };
      return queuePut(item);
    }).then(() => emit(), () => emit());
  }
  function settle(id) { return queueDelete(id).then(() => emit(), () => emit()); }
  function discard(id) { return queueDelete(id).then(() => emit(), () => emit()); }

  // ---- sync: the queue to the server, then a fresh bundle --------------------------------------
  let syncing = null;
  let failures = 0;
  let timer = null;
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(sync, ms); }
  function postBatch(items) {
    return fetch(off.batch, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json", "Accept-Language": lang, "Content-Type": "application/json", "X-CSRFToken": csrfInput ? csrfInput.value : "" },
      body: JSON.stringify({ items: items.map((i) => i.body) }),
    }).then((r) => {
      noteServerTime(r);
      if (!r.ok) throw Object.assign(new Error("batch " + r.status), { status: r.status });
      return r.json();
    });
  }
  function sendAll(pending) {
    if (!pending.length) return Promise.resolve();
    const chunk = pending.slice(0, BATCH_MAX);
    return postBatch(chunk).then((data) => Promise.all(data.results.map((r) => {
      const item = chunk[r.index];
      if (!item) return null;
      if (r.status === 200 || r.status === 201) {
        const s = r.screening;
        if (item.offline && s && s.decision !== item.offline.decision) {
          changed.unshift({ id: s.id, offline: item.offline.decision, server: s.decision });
          changed = changed.slice(0, 20);
        }
        return queueDelete(item.id);
      }
      if (r.status >= 500 || r.status === 429) return null; // the server's trouble: sent again later
      item.state = "refused";
      item.error = r.error ? r.error.message : String(r.status);
      return queuePut(item);
    }))).then(() => kvPut("changed", changed)).then(() => sendAll(pending.slice(BATCH_MAX)));
  }
  function sync() {
    if (syncing) return syncing;
    clearTimeout(timer);
    setStripBusy(true);
    syncing = queueAll()
      .then((rows) => sendAll(rows.filter((r) => r.state === "pending").sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : 1))))
      .then(refreshBundle)
      .then(() => {
        failures = 0;
        problem = "";
        lastSync = new Date();
        schedule(SYNC_EVERY_MS);
        return kvPut("lastSync", lastSync.toISOString());
      }, (err) => {
        failures += 1;
        const status = err && err.status;
        problem = status === 401 || status === 403 ? cfg.text.session_expired : "";
        schedule(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1)));
      })
      .then(() => { syncing = null; setStripBusy(false); return emit(true); });
    return syncing;
  }

  // ---- the strip: "N unsynced · last sync HH:MM" and the refused items ------------------------
  function fill(t, ...values) { return t.replace(/\{(\d)\}/g, (all, i) => (values[i] !== undefined ? values[i] : all)); }
  function setStripBusy(on) { const s = $("sync-strip"); if (s) s.classList.toggle("busy", on); }
  function renderStrip() {
    const strip = $("sync-strip");
    if (!strip) return;
    const unsynced = snapshot.length;
    const parts = [];
    if (!navigator.onLine) parts.push(text.offline);
    parts.push(fill(text.unsynced, unsynced));
    parts.push(lastSync ? fill(text.last_sync, hm(lastSync)) : text.never_synced);
    $("sync-words").textContent = parts.join(" · ");
    strip.classList.toggle("pending", unsynced > 0);
    strip.classList.toggle("offline", !navigator.onLine);
    const p = $("sync-problem");
    p.textContent = problem;
    p.hidden = !problem;
    const list = $("sync-refused");
    list.innerHTML = "";
    snapshot.filter((i) => i.state === "refused").forEach((i) => {
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.textContent = hm(new Date(i.occurred_at)) + " " + ((i.offline && i.offline.person) || "") + " · " + fill(text.refused, i.error);
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text.discard;
      b.addEventListener("click", () => discard(i.id));
      li.append(span, b);
      list.appendChild(li);
    });
    list.hidden = !list.children.length;
  }

  // Rows for the last 10 that the server does not have yet (newest first), and the marks of
  // rows it decided differently than this device did offline.
  function localRecent() {
    return snapshot.filter((i) => i.offline || i.state === "refused").map((i) => ({
      id: i.id, time: hm(new Date(i.occurred_at)), person: (i.offline && i.offline.person) || "",
      direction: i.body.direction, decision: i.offline ? i.offline.decision : "",
      temperature_c: i.offline ? i.offline.temperature_c : null, state: i.state,
    }));
  }
  function changedById() {
    const map = {};
    changed.forEach((c) => { map[c.id] = c; });
    return map;
  }

  // ---- start ------------------------------------------------------------------------------
  function registerWorker() {
    if (!("serviceWorker" in navigator) || !off.worker) return;
    navigator.serviceWorker.register(off.worker, { scope: "/gate/" }).then(() => navigator.serviceWorker.ready).then((reg) => {
      if (reg.active) reg.active.postMessage({ type: "keep-page", url: location.pathname });
    }).catch(() => null);
  }
  const ready = Promise.all([kvGet(bundleKey), kvGet("lastSync"), kvGet("changed")]).then(([b, at, ch]) => {
    if (b) useBundle(b);
    if (at) lastSync = new Date(at);
    if (Array.isArray(ch)) changed = ch;
  }).catch(() => null).then(() => emit());

  window.addEventListener("online", () => { failures = 0; renderStrip(); sync(); });
  window.addEventListener("offline", renderStrip);
  ready.then(() => { registerWorker(); sync(); });

  window.shouwangOffline = {
    ready: ready, identify: identify, decide: decideOffline, enqueue: enqueue, markOffline: markOffline,
    settle: settle, discard: discard, sync: sync, remember: remember, now: now,
    localRecent: localRecent, changed: changedById, onChange: (fn) => listeners.push(fn),
    // For tests and the curious: what this device holds.
    state: () => ({ unsynced: snapshot.length, refused: snapshot.filter((i) => i.state === "refused").length,
      bundle: bundle ? bundle.version : null, lastSync: lastSync ? lastSync.toISOString() : null, syncing: !!syncing }),
    _decide: decide, _parseTemperature: parseTemperature,
  };
})();
