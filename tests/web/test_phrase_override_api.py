"""A phrase override that would format its value (and so could grow it without bound) is
refused by the API with a 422 that says why, never a 500."""

import pytest

from tests.web.test_composer import add_item, new_issue

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE
def test_the_api_refuses_an_override_with_a_format_spec_conversion_attribute_or_index(live_server, editor):
    csrf = {"X-CSRF-Token": editor.csrf}
    issue_id = new_issue(editor)
    draft = {"title": "The Weekly Brief", "date": "2026-12-04", "version": 1, "editions": ["es"],
             "sections": [{"item_ids": [add_item(editor, 1)]}]}
    for phrases in ({"phrases": {"byline": "By {name:>99999999}"}},
                    {"translations": {"es": {"phrases": {"greeting": "Hola {name!r}"}}}},
                    {"phrases": {"receiving": "{newsletter.__class__} {email}"}},
                    {"phrases": {"back_to_reference": "Back to {n[0]}"}}):
        refused = editor.put(f"/api/issues/{issue_id}", json={**draft, **phrases}, headers=csrf)
        assert refused.status_code == 422, (phrases, refused.text)
        assert "braces hold a name alone, with no format, conversion, attribute or index" in refused.text
    saved = editor.put(f"/api/issues/{issue_id}", json={**draft, "phrases": {"byline": "Written by {name}"}},
                       headers=csrf)
    assert saved.status_code == 200 and saved.json()["phrases"] == {"byline": "Written by {name}"}
