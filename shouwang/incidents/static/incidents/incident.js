// The photo loads only when asked for: each viewing is an audited read of personal data.
(function () {
  const box = document.getElementById("photo-box");
  if (!box) return;
  box.addEventListener("toggle", () => {
    const img = document.getElementById("incident-photo");
    if (box.open && !img.src) img.src = img.dataset.src;
  });
})();
