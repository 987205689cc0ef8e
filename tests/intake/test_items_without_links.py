"""An item may wait in the inbox for its link; pre-flight refuses it in an issue."""

from newsletter.db import transaction
from newsletter.editorial.drafts import ItemDraft
from newsletter.editorial.items import create_item
from newsletter.editorial.preflight import check_issue
from tests.editorial.test_preflight import draft, messages


def test_the_inbox_keeps_an_item_without_a_link(database_url):
    with transaction(database_url) as session:
        item = create_item(session=session, draft=ItemDraft(headline="Pasted, no link", url=" "))
        assert item.url == ""


def test_preflight_refuses_an_item_without_a_link_and_two_of_them_are_not_the_same_link():
    items = [{"headline": "No link", "blurb": "Text.", "url": ""}, {"headline": "Nor here", "blurb": "Text.", "url": ""}]
    findings = check_issue(draft((None, items)), item_ids=[1, 2], html_bytes=10_000)
    assert messages(findings, "error") == ["“No link” has no link: add the page “Read more” opens.",
                                           "“Nor here” has no link: add the page “Read more” opens."]
    assert not any("as another item does" in m for m in messages(findings, "warning"))
