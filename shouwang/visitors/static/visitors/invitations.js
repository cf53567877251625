// The two type-aheads (resident on whose behalf; household or institution visited) and the reason chips.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("invite-config").textContent);
  const form = document.getElementById("invite-form");
  const community = form.querySelector("[name=community]");
  function typeahead(input, list, url, render, pick, unpick) {
    let seq = 0, timer = null;
    input.addEventListener("input", () => {
      unpick();
      clearTimeout(timer);
      timer = setTimeout(() => {
        const q = input.value.trim();
        if (!q) { list.hidden = true; return; }
        const mine = ++seq;
        fetch(url(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((r) => (r.ok ? r.json() : [])).then((hits) => {
            if (mine !== seq) return;
            list.innerHTML = "";
            if (!hits.length) { const li = document.createElement("li"); li.className = "muted small"; li.style.padding = ".6rem .7rem"; li.textContent = cfg.noMatch; list.appendChild(li); }
            hits.forEach((hit) => {
              const li = document.createElement("li"), b = document.createElement("button");
              b.type = "button";
              const [main, small] = render(hit);
              b.textContent = main;
              if (small) { const s = document.createElement("small"); s.textContent = small; b.appendChild(s); }
              b.addEventListener("click", () => { pick(hit); input.value = main; list.hidden = true; });
              li.appendChild(b); list.appendChild(li);
            });
            list.hidden = false;
          }).catch(() => {});
      }, 150);
    });
    input.addEventListener("keydown", (e) => {
      const first = list.querySelector("button");
      if (e.key === "Enter" && first && !list.hidden) { e.preventDefault(); first.click(); }
    });
  }
  const resident = form.querySelector("[name=on_behalf_of]");
  typeahead(form.querySelector("[data-pick=resident]"), document.getElementById("resident-list"),
    (q) => cfg.residents + "?community=" + encodeURIComponent(community.value) + "&q=" + encodeURIComponent(q),
    (p) => [p.name + " " + p.id_masked, p.where], (p) => { resident.value = p.id; }, () => { resident.value = ""; });
  const hostKind = form.querySelector("[name=host_kind]"), hostId = form.querySelector("[name=host_id]");
  typeahead(form.querySelector("[data-pick=host]"), document.getElementById("host-list"),
    (q) => cfg.hosts + "?community=" + encodeURIComponent(cfg.communities[community.value] || "") + "&q=" + encodeURIComponent(q),
    (h) => [h.label, h.detail], (h) => { hostKind.value = h.kind; hostId.value = h.id; },
    () => { hostKind.value = ""; hostId.value = ""; });
  const reason = form.querySelector("[name=reason]");
  document.getElementById("reason-chips").addEventListener("click", (e) => {
    const c = e.target.closest(".chip");
    if (c) { reason.value = c.dataset.value; mark(); }
  });
  function mark() {
    document.querySelectorAll("#reason-chips .chip").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === reason.value.trim())));
  }
  reason.addEventListener("input", mark);
  mark();
  form.addEventListener("submit", () => { setTimeout(() => { document.getElementById("invite-submit").disabled = true; }, 0); });
})();
