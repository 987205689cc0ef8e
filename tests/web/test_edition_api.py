"""Editions through the API: an issue's editions, front matter per edition and what each lacks;
an item's translation."""

import pytest

from tests.web.test_composer import add_item, new_issue

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE
def test_an_issue_gains_editions_and_translations_and_says_what_each_lacks(live_server, editor):
    csrf = {"X-CSRF-Token": editor.csrf}
    items = [add_item(editor, n) for n in (1, 2)]
    issue_id = new_issue(editor)
    draft = {"title": "The Weekly Brief", "date": "2026-12-04", "version": 1, "editions": ["es", "ar"],
             "phrases": {"read_more": "Continue reading"}, "sections": [{"item_ids": items}],
             "translations": {"es": {"title": "El Informe Semanal", "subject": "El Informe"}}}
    saved = editor.put(f"/api/issues/{issue_id}", json=draft, headers=csrf)
    assert saved.status_code == 200, saved.text
    translated = editor.put(f"/api/items/{items[0]}/translations/es", headers=csrf,
                            json={"headline": "Titular", "blurb": "Resumen.", "url": "https://example.org/es/1"})
    assert translated.status_code == 200 and translated.json()["translations"]["es"]["headline"] == "Titular"

    issue = editor.get(f"/api/issues/{issue_id}").json()
    assert (issue["editions"], issue["phrases"]) == (["es", "ar"], {"read_more": "Continue reading"})
    assert issue["translations"]["es"]["title"] == "El Informe Semanal"
    assert [(e["language"], e["name"], e["untranslated"]) for e in issue["edition_status"]] == [
        ("en", "English", []), ("es", "español", [1]), ("ar", "العربية", [0, 1])]
    assert issue["edition_status"][1]["missing_front"] == []

    # Left out, translations stay; an edition that is the main language, or a stray translation, is refused.
    resaved = editor.put(f"/api/issues/{issue_id}", headers=csrf, json={
        **{k: v for k, v in draft.items() if k != "translations"}, "version": issue["version"]})
    assert resaved.json()["translations"]["es"]["subject"] == "El Informe"
    for bad in ({"editions": ["en"]}, {"translations": {"fr": {"title": "Le"}}},
                {"phrases": {"read_mor": "x"}}):
        refused = editor.put(f"/api/issues/{issue_id}", headers=csrf,
                             json={**draft, "version": resaved.json()["version"], **bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert editor.put(f"/api/items/{items[0]}/translations/not a tag", headers=csrf, json={}).status_code == 422
    preview = editor.get(f"/api/issues/{issue_id}/preview").json()
    assert any("has no translation in Arabic (ar) edition" in f["message"] for f in preview["findings"])

    # Each edition can be previewed, in the newsroom and through the API.
    arabic = editor.get(f"/api/issues/{issue_id}/preview", params={"edition": "ar"}).json()
    assert '<html lang="ar" dir="rtl"' in arabic["html"] and arabic["text"].startswith("\u200fThe Weekly Brief")
    assert editor.get(f"/api/issues/{issue_id}/preview", params={"edition": "x y"}).status_code == 422
    page = editor.get(f"/admin/issues/{issue_id}/preview", params={"edition": "es"}).text
    assert 'aria-current="page">español</a>' in page and "email.html?v=" in page and "&amp;edition=es" in page
    frame = editor.get(f"/admin/issues/{issue_id}/email.html", params={"edition": "es"}).text
    assert '<html lang="es"' in frame and "Titular" in frame
