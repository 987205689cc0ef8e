// The issue composer: autosave, drag and drop, keyboard moves, the inbox picker.
// The page is the state: every change saves the whole issue with the version it started
// from; the server refuses a save when someone else saved in between (409), and then
// nothing more is saved from this page until it is reloaded.
(() => {
  const root = document.getElementById("composer");
  if (!root) return;
  const issueId = root.dataset.issueId;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const state = document.getElementById("save-state");
  const sections = document.getElementById("sections");
  const inbox = document.getElementById("inbox");
  let version = Number(root.dataset.version);
  // Loaded only while the issue can change (a scheduled or sent one is rendered read-only);
  // stopped after a refused save, until the page is reloaded.
  let timer = null, saving = false, again = false, dirty = false, stopped = false;

  function draft() {
    const d = { version, sections: [] };
    root.querySelectorAll("[data-field]").forEach((el) => { d[el.dataset.field] = el.value; });
    // Each edition's front matter (_composer_editions.html.j2), for the editions still listed.
    const editions = (d.editions || "").toLowerCase().split(",").map((e) => e.trim());
    d.translations = {};
    root.querySelectorAll("[data-translation]").forEach((el) => {
      if (!editions.includes(el.dataset.translation.toLowerCase())) return;
      const into = (d.translations[el.dataset.translation] ||= {});
      // A section title's translation, keyed by the section's title in the main language.
      if ("translationOf" in el.dataset) (into[el.dataset.translationField] ||= {})[el.dataset.translationOf] = el.value;
      else into[el.dataset.translationField] = el.value;
    });
    // The fixed phrases overridden (_composer_phrases.html.j2): the issue's, and each edition's.
    d.phrases = {};
    root.querySelectorAll("[data-phrase]").forEach((el) => {
      const language = el.dataset.phraseLanguage, words = el.value.trim();
      if (!words) return;
      if (!language) { d.phrases[el.dataset.phrase] = words; return; }
      if (!editions.includes(language.toLowerCase())) return;
      ((d.translations[language] ||= {}).phrases ||= {})[el.dataset.phrase] = words;
    });
    sections.querySelectorAll("[data-section]").forEach((s) => {
      d.sections.push({
        title: s.querySelector("[data-section-title]").value,
        item_ids: [...s.querySelectorAll("li.entry")].map((li) => Number(li.dataset.itemId)),
      });
    });
    return d;
  }

  function say(text, isError = false) {
    state.textContent = text;
    state.classList.toggle("error", isError);
  }

  function changed() {
    if (stopped) return;
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  }

  async function save() {
    if (stopped) return;
    if (saving) { again = true; return; }
    saving = true; again = false; dirty = false;
    say("Saving…");
    try {
      const response = await fetch(`/api/issues/${issueId}`, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(draft()),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        version = body.version;
        root.dataset.version = version;
        const badge = document.getElementById("status-badge");
        badge.textContent = body.status; badge.className = `badge ${body.status}`;
        say(`Saved at ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}.`);
      } else if (response.status === 409) {
        stopped = true;
        document.getElementById("conflict-message").textContent = body.detail || "Someone else changed this issue.";
        document.getElementById("conflict").hidden = false;
        say("Not saved: the issue changed elsewhere.", true);
      } else {
        dirty = true;
        say(`Not saved: ${describe(body)}`, true);
      }
    } catch (err) {
      dirty = true;
      say("Not saved: the server cannot be reached. Your edits are still here; they save on your next change.", true);
    } finally {
      saving = false;
      if (again) save();
    }
  }

  function describe(body) {
    if (Array.isArray(body.detail)) {
      return body.detail.map((e) => `${e.loc.slice(1).join(" ")}: ${e.msg.replace(/^Value error, /, "")}`).join("; ");
    }
    return body.detail || "the server refused the change.";
  }

  function announce(li) {
    const lists = [...sections.querySelectorAll("[data-entries]")];
    const position = [...li.parentElement.children].indexOf(li) + 1;
    say(`Moved “${li.dataset.headline}” to position ${position} of section ${lists.indexOf(li.parentElement) + 1}.`);
  }

  // Moving with the buttons: ↑ and ↓ cross into the neighbouring section at the ends.
  function move(li, direction) {
    const list = li.parentElement;
    const lists = [...sections.querySelectorAll("[data-entries]")];
    const index = lists.indexOf(list);
    if (direction === "up") {
      if (li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
      else if (index > 0) lists[index - 1].appendChild(li);
      else return;
    } else {
      if (li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
      else if (index < lists.length - 1) lists[index + 1].prepend(li);
      else return;
    }
    li.querySelector(`[data-move="${direction}"]`).focus();
    announce(li);
    changed();
  }

  function addFromInbox(pickerItem) {
    const lists = sections.querySelectorAll("[data-entries]");
    if (!lists.length) addSection();
    const target = [...sections.querySelectorAll("[data-entries]")].pop();
    const li = pickerItem.querySelector("template").content.firstElementChild;
    target.appendChild(li);
    pickerItem.remove();
    document.getElementById("inbox-empty").hidden = inbox.children.length > 0;
    li.querySelector("[data-remove]").focus();
    say(`Added “${li.dataset.headline}” to the end of the issue.`);
    changed();
  }

  function removeEntry(li) {
    const pickerItem = document.createElement("li");
    pickerItem.dataset.itemId = li.dataset.itemId;
    const label = document.createElement("span");
    label.textContent = li.dataset.headline;
    const button = document.createElement("button");
    button.type = "button"; button.className = "small"; button.dataset.add = "";
    button.textContent = "Add";
    button.setAttribute("aria-label", `Add “${li.dataset.headline}” to the issue`);
    const template = document.createElement("template");
    template.content.appendChild(li);
    pickerItem.append(label, button, template);
    inbox.prepend(pickerItem);
    document.getElementById("inbox-empty").hidden = true;
    say(`Removed “${li.dataset.headline}”; it is back in the inbox.`);
    changed();
  }

  function addSection() {
    const node = document.getElementById("section-template").content.firstElementChild.cloneNode(true);
    const n = sections.querySelectorAll("[data-section]").length + 1;
    node.querySelector("label").htmlFor = `section-new-${n}`;
    node.querySelector("[data-section-title]").id = `section-new-${n}`;
    sections.appendChild(node);
    labelSections();
    node.querySelector("[data-section-title]").focus();
    changed();
  }

  function moveSection(section, direction) {
    const sibling = direction === "up" ? section.previousElementSibling : section.nextElementSibling;
    if (!sibling) return;
    if (direction === "up") sections.insertBefore(section, sibling); else sections.insertBefore(sibling, section);
    labelSections();
    section.querySelector(`[data-move-section="${direction}"]`).focus();
    const position = [...sections.children].indexOf(section) + 1;
    say(`Moved the section to position ${position}.`);
    changed();
  }

  // Section buttons say which section they move, by its position now.
  function labelSections() {
    sections.querySelectorAll("[data-section]").forEach((section, i) => {
      section.querySelectorAll("[data-move-section]").forEach((button) => {
        button.setAttribute("aria-label", `Move section ${i + 1} ${button.dataset.moveSection}`);
      });
    });
  }

  function removeSection(section) {
    section.querySelectorAll("li.entry").forEach(removeEntry);
    section.remove();
    labelSections();
    changed();
  }

  root.addEventListener("input", (event) => {
    if (event.target.matches("[data-field], [data-section-title], [data-translation], [data-phrase]")) changed();
  });
  root.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target || stopped) return;
    if (target.dataset.move) move(target.closest("li.entry"), target.dataset.move);
    else if (target.hasAttribute("data-remove")) removeEntry(target.closest("li.entry"));
    else if (target.hasAttribute("data-add")) addFromInbox(target.closest("li"));
    else if (target.dataset.moveSection) moveSection(target.closest("[data-section]"), target.dataset.moveSection);
    else if (target.hasAttribute("data-remove-section")) removeSection(target.closest("[data-section]"));
  });
  // An article's own inputs (body, dateline, byline, and their translations) show with that
  // format only; hidden, they keep their words and are saved with the rest.
  const format = document.getElementById("f-format");
  format.addEventListener("change", () => {
    root.querySelectorAll("[data-article-only]").forEach((el) => { el.hidden = format.value !== "article"; });
  });
  document.getElementById("add-section").addEventListener("click", () => { if (!stopped) addSection(); });
  document.getElementById("reload").addEventListener("click", () => { dirty = false; location.reload(); });
  document.getElementById("inbox-filter").addEventListener("input", (event) => {
    const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    inbox.querySelectorAll(":scope > li").forEach((li) => {
      const text = li.querySelector("span").textContent.toLowerCase();
      li.hidden = !words.every((w) => text.includes(w));
    });
  });

  // Drag and drop between and within sections.
  let dragged = null;
  sections.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li.entry");
    if (!dragged || stopped) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.itemId);
  });
  sections.addEventListener("dragover", (event) => {
    const list = event.target.closest("[data-entries]");
    if (!dragged || !list) return;
    event.preventDefault();
    list.classList.add("drop-target");
    const after = [...list.querySelectorAll("li.entry:not(.dragging)")].find((li) => {
      const box = li.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    });
    if (after) list.insertBefore(dragged, after); else list.appendChild(dragged);
  });
  sections.addEventListener("dragleave", (event) => {
    const list = event.target.closest("[data-entries]");
    if (list && !list.contains(event.relatedTarget)) list.classList.remove("drop-target");
  });
  sections.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    sections.querySelectorAll(".drop-target").forEach((l) => l.classList.remove("drop-target"));
    announce(dragged);
    dragged = null;
    changed();
  });
  sections.addEventListener("drop", (event) => event.preventDefault());

  // Back from "Add a new item": put it at the end of the issue.
  const added = new URLSearchParams(location.search).get("add");
  if (added) {
    history.replaceState(null, "", location.pathname);
    const pickerItem = inbox.querySelector(`:scope > li[data-item-id="${CSS.escape(added)}"]`);
    if (pickerItem && !stopped) addFromInbox(pickerItem);
  }

  window.addEventListener("beforeunload", (event) => {
    if ((dirty || saving) && !stopped) { save(); event.preventDefault(); }
  });
  root.dataset.ready = "";  // listening: a click from here on is heard (tests wait for it)
})();
