// The composer's language editions: tabs (arrow keys move between them), and saving an item's
// translation into an edition through the API. The front matter of each edition is saved with
// the rest of the issue (composer.js collects [data-translation] fields).
(() => {
  const panel = document.querySelector(".editions");
  if (!panel) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const tabs = [...panel.querySelectorAll('[role="tab"]')];

  function select(tab) {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
    tab.focus();
  }

  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) select(tabs[(i + step + tabs.length) % tabs.length]);
    });
  });

  panel.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-save-translation]");
    if (!button) return;
    const box = button.closest("[data-item-translation]");
    const said = box.querySelector("[data-translation-said]");
    const body = {};
    box.querySelectorAll("[name]").forEach((el) => { body[el.name] = el.value; });
    const response = await fetch(`/api/items/${box.dataset.itemId}/translations/${box.dataset.language}`, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      const done = box.dataset.language in answer.translations;
      const state = box.closest("li").querySelector("[data-translation-state]");
      state.textContent = done ? "translated" : "missing";
      state.className = `badge ${done ? "sent" : "failed"}`;
      said.textContent = "Saved.";
    } else {
      said.textContent = `Not saved: ${answer.detail || response.statusText}`;
    }
  });
})();
