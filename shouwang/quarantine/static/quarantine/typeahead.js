// Register and self-report forms: type-ahead for where from (GB/T 2260 divisions: 武汉, wuhan, wh)
// and for the resident (name or pinyin initials), the "who" switch, and one submit per tap.
// Without this script the forms still work: the server reads a typed code or exact place name.
(function () {
  "use strict";
  const cfgEl = document.getElementById("register-config");
  const cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};
  const form = document.querySelector("form[data-typeahead], #register-form");
  if (!form) return;

  function debounce(fn, ms) {
    let t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // A list of buttons under an input; ``render(hit)`` gives [main text, small text].
  function suggest(input, list, url, render, pick) {
    let seq = 0;
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    function show(hits, query) {
      list.innerHTML = "";
      if (!hits.length) {
        const li = document.createElement("li");
        li.className = "muted small";
        li.style.padding = ".6rem .7rem";
        li.textContent = cfg.noMatch || "—";
        list.appendChild(li);
      }
      hits.forEach((hit) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.setAttribute("role", "option");
        const [main, small] = render(hit);
        b.textContent = main;
        if (small) { const s = document.createElement("small"); s.textContent = small; b.appendChild(s); }
        b.addEventListener("click", () => { pick(hit); close(); });
        b.addEventListener("keydown", (e) => {
          if (e.key === "ArrowDown" && li.nextSibling) { e.preventDefault(); li.nextSibling.querySelector("button").focus(); }
          if (e.key === "ArrowUp") { e.preventDefault(); (li.previousSibling ? li.previousSibling.querySelector("button") : input).focus(); }
          if (e.key === "Escape") { close(); input.focus(); }
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = !query;
      input.setAttribute("aria-expanded", String(!list.hidden));
    }
    const run = debounce(() => {
      const q = input.value.trim();
      if (!q) { close(); return; }
      const mine = ++seq;
      fetch(url(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : []))
        .then((hits) => { if (mine === seq && input.value.trim()) show(hits, q); })
        .catch(() => {});
    }, 150);
    input.addEventListener("input", run);
    input.addEventListener("keydown", (e) => {
      const first = list.querySelector("button");
      if (e.key === "ArrowDown" && first && !list.hidden) { e.preventDefault(); first.focus(); }
      if (e.key === "Enter" && first && !list.hidden) { e.preventDefault(); first.click(); }
      if (e.key === "Escape") close();
    });
    return { close: close };
  }

  // ---- where from --------------------------------------------------------------------------
  const originText = form.querySelector("[data-divisions]");
  const originCode = form.querySelector("input[name$=origin]");
  const originList = document.getElementById("origin-list");
  if (originText && originCode && originList && cfg.divisions) {
    originText.addEventListener("input", () => { originCode.value = ""; });
    suggest(
      originText,
      originList,
      (q) => cfg.divisions + "?q=" + encodeURIComponent(q),
      (d) => [d.label, d.code],
      (d) => { originCode.value = d.code; originText.value = d.label; }
    );
  }

  // ---- which resident ----------------------------------------------------------------------
  const personText = form.querySelector("[data-people]");
  const residentId = form.querySelector("input[name=resident]");
  const peopleList = document.getElementById("people-list");
  const community = form.querySelector("[name=community]");
  const picked = document.getElementById("picked");
  const searchBox = document.getElementById("person-search-box");
  if (personText && residentId && peopleList && cfg.people) {
    suggest(
      personText,
      peopleList,
      (q) => cfg.people + "?community=" + encodeURIComponent(community ? community.value : "") + "&q=" + encodeURIComponent(q),
      (p) => [p.name + " " + p.id_masked, p.where],
      (p) => {
        residentId.value = p.id;
        document.getElementById("picked-name").textContent = p.name;
        document.getElementById("picked-where").textContent = p.id_masked + " · " + p.where;
        picked.hidden = false;
        searchBox.hidden = true;
        const next = originText || form.querySelector("button[type=submit]");
        if (next) next.focus();
      }
    );
    document.getElementById("picked-clear").addEventListener("click", () => {
      residentId.value = "";
      picked.hidden = true;
      searchBox.hidden = false;
      personText.value = "";
      personText.focus();
    });
    if (community) community.addEventListener("change", () => document.getElementById("picked-clear").click());
  }

  // ---- who: show the fields of the way chosen ------------------------------------------------
  const whoRadios = form.querySelectorAll("input[name=who]");
  function showWho() {
    const chosen = form.querySelector("input[name=who]:checked");
    const value = chosen ? chosen.value : "resident";
    form.querySelectorAll("[data-who]").forEach((el) => {
      el.hidden = !el.dataset.who.split(" ").includes(value);
    });
  }
  whoRadios.forEach((r) => r.addEventListener("change", showWho));
  if (whoRadios.length) showWho();

  // ---- one submit per tap (a second tap while the first travels would be a second report) ----
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[type=submit]");
    if (button) setTimeout(() => { button.disabled = true; }, 0);
  });
})();
