/* 查看/Reveal: sends the reason to /reveal/ and puts the number, as a tel: link, where the
   masked one was. Without this script the form still posts and a page shows the number.
   Loaded once per include; the guard binds the handler only once per page. */
(function () {
  "use strict";
  if (window.shouwangReveal) return;
  window.shouwangReveal = true;
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains("reveal-form")) return;
    event.preventDefault();
    const box = form.closest("[data-reveal]");
    const error = form.querySelector("[data-reveal-error]");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Accept-Language": document.documentElement.lang || "zh-hans",
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
      },
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        button.disabled = false;
        if (!res.ok) {
          error.textContent = res.body.message || "?";
          error.hidden = false;
          return;
        }
        const link = document.createElement("a");
        link.className = "tel revealed";
        link.href = res.body.tel;
        link.textContent = "☎ " + res.body.value;
        box.replaceChildren(link);
      })
      .catch(function () {
        button.disabled = false;
        error.textContent = form.dataset.offline || "网络不通，请重试 / No network, try again";
        error.hidden = false;
      });
  });
})();
