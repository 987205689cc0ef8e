"""An image without its alt text yet: the preview never prints "None" for it (the checks still block it)."""

import lxml.html
import pytest

from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def images(html):
    return [(img.get("src"), img.get("alt")) for img in lxml.html.document_fromstring(html).iter("img")]


@SQLITE
def test_an_image_without_alt_text_previews_with_an_empty_alt_never_none(live_server, editor):
    item_id = add_item(editor, 1, image_url="https://example.org/photo.jpg")
    issue_id = new_issue(editor)
    assert save(editor, issue_id, 1, [{"item_ids": [item_id]}]).status_code == 200

    email = editor.get(f"/admin/issues/{issue_id}/email.html").text
    assert 'alt="None"' not in email
    assert images(email) == [("https://example.org/photo.jpg", "")]
    preview = editor.get(f"/api/issues/{issue_id}/preview").json()
    assert "None" not in preview["html"] + preview["text"]
    assert any("image without alt text" in finding["message"] for finding in preview["findings"])  # still blocks
