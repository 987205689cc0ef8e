"""The composer's language editions in a real Chromium: tabs that say what each edition lacks,
its front matter saved with the issue, an item translated in place."""

import re

import pytest
from playwright.sync_api import expect

from tests.web.test_admin_browser import signed_in_page
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE
def test_an_editor_translates_an_edition_in_its_tab(live_server, editor, browser):  # noqa: F811
    items = [add_item(editor, n) for n in (1, 2)]
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": items}], editions=["es"]).status_code == 200
    page = signed_in_page(browser, live_server, "ed@example.org")
    page.goto(f"{live_server.url}/admin/issues/{issue_id}")

    spanish = page.get_by_role("tab", name=re.compile("español"))
    expect(spanish).to_contain_text("4 missing")  # title, intro and two items
    page.get_by_role("tab", name=re.compile("English")).press("ArrowRight")
    expect(spanish).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel", name=re.compile("español"))
    expect(panel).to_contain_text("Missing: title, intro, 2 items")
    page.get_by_label("Title (español)").fill("El Informe Semanal")
    expect(page.locator("#save-state")).to_contain_text("Saved at")

    panel.get_by_text("Translate into español").first.click()
    box = panel.locator("[data-item-translation]").first
    box.get_by_label("Headline").fill("Historia 1")
    box.get_by_label("Blurb").fill("Qué pasó.")
    box.get_by_role("button", name="Save translation").click()
    expect(box.get_by_role("status")).to_have_text("Saved.")
    expect(panel.locator("[data-translation-state]").first).to_have_text("translated")

    stored = editor.get(f"/api/issues/{issue_id}").json()
    assert stored["translations"]["es"]["title"] == "El Informe Semanal"
    assert [(e["language"], e["untranslated"], e["missing_front"]) for e in stored["edition_status"]] == [
        ("en", [], []), ("es", [1], ["intro"])]
    page.reload()
    expect(page.get_by_role("tab", name=re.compile("español"))).to_contain_text("2 missing")

    # The fixed phrases, the issue's own and the edition's, saved with the issue.
    phrases = page.locator("section.phrases")
    phrases.locator("summary").nth(0).click()
    expect(page.locator("#p-en-read_more")).to_have_attribute("placeholder", "Read more")
    page.locator("#p-en-read_more").fill("Continue reading")
    phrases.locator("summary").nth(1).click()
    expect(page.locator("#p-es-read_more")).to_have_attribute("placeholder", "Leer más")
    page.locator("#p-es-read_more").fill("Seguir leyendo")
    expect(page.locator("#save-state")).to_contain_text("Saved at")
    stored = editor.get(f"/api/issues/{issue_id}").json()
    assert stored["phrases"] == {"read_more": "Continue reading"}
    assert stored["translations"]["es"]["phrases"] == {"read_more": "Seguir leyendo"}
    page.locator("#p-es-byline").fill("Por {autor}")  # a name the phrase does not have: refused, said
    expect(page.locator("#save-state")).to_contain_text("autor")
    page.reload()
    expect(page.locator("section.phrases summary").nth(1)).to_contain_text("(1 changed)")
