// "Copy link" buttons: put data-copy on the clipboard and say so on the button for a moment.
(function () {
  "use strict";
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
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
})();
