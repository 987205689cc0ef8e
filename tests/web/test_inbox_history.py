"""The inbox says how each source and tag did in past issues: human clicks per item sent, for
every source and tag (not a top few), and beside each new item from a source already sent."""

import pytest

from tests.tracking.click_helpers import accepted_ago, send_issue
from tests.web.test_admin_details import html_of, text_of

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def rows(page, table_id: str) -> list[list[str]]:
    return [[text_of(cell) for cell in row.xpath("td")] for row in page.xpath(f"//table[@id='{table_id}']/tbody/tr")]


@SQLITE
def test_the_inbox_shows_how_every_source_did_and_each_new_items_source(live_server, editor):
    sent = send_issue(live_server.settings, {"weekly": ["ana@example.org", "bo@example.org", "cy@example.org"]})
    accepted_ago(live_server.settings.database_url, 60)  # a minute after delivery: people, not scanners
    for email, position in (("ana@example.org", 1), ("bo@example.org", 1), ("cy@example.org", 2)):
        link = next(url for url in sent.tracked_links(email) if f"/c/{sent.send_id}/{position + 1}/" in url)
        assert live_server.client.get(link).status_code == 302
    headers = {"X-CSRF-Token": editor.csrf}
    for n in range(4, 14):  # more sources than a top few: each one is shown
        added = editor.post("/api/items", headers=headers, json={
            "headline": f"New story {n}", "blurb": "A blurb.", "url": f"https://example.org/new/{n}",
            "source": "Source 2" if n == 4 else f"Source {n}"})
        assert added.status_code == 201, added.text
    page = html_of(editor, "/admin/items")
    sources = rows(page, "history-source")
    assert sources[:3] == [["Source 2", "1", "2", "2.0"], ["Source 3", "1", "1", "1.0"], ["Source 1", "1", "0", "0.0"]]
    [line] = [row for row in page.xpath("//tbody/tr") if "New story 4" in text_of(row)]
    assert "Past issues: 2.0 human clicks per item (1 item)" in text_of(line)
    [other] = [row for row in page.xpath("//tbody/tr") if "New story 5" in text_of(row)]
    assert "Past issues" not in text_of(other)  # Source 5 has sent nothing yet
