// Roster pages: the print and copy buttons, and a "solving…" note while a solve runs (it takes
// up to its time limit, and a second tap would only queue another one).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const label = button.textContent;
    button.addEventListener("click", () => {
      const done = () => { button.textContent = "✓ " + label; setTimeout(() => { button.textContent = label; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(button.dataset.copy).then(done, () => window.prompt("", button.dataset.copy));
      } else {
        window.prompt("", button.dataset.copy);
      }
    });
  });
  document.querySelectorAll("form[data-solving]").forEach((form) => {
    form.addEventListener("submit", () => {
      const note = form.querySelector(".solving");
      const button = form.querySelector("button[type=submit]");
      if (note) { note.textContent = form.dataset.solving; note.hidden = false; }
      // Disabled after the submit has gone, so the form is sent as it was.
      if (button) setTimeout(() => { button.disabled = true; }, 0);
    });
  });
})();
