"""The pre-flight checks, as pure functions over issue content."""

from newsletter.content.models import IssueContent, ItemContent, SectionContent
from newsletter.editorial.preflight import GMAIL_CLIP_BYTES, check_issue
from tests.factories import issue


def draft(*sections: list[dict], **fields) -> IssueContent:
    """Content built as the preview builds drafts: without the completeness rules."""
    built = [SectionContent.model_construct(title=title, items=[ItemContent.model_construct(**{
        "source": None, "image": None, "image_alt": None, **i}) for i in items]) for title, items in sections]
    values = {"title": "Brief", "date": issue().date, "subject": None, "preheader": None, "intro": "Hello.",
              "language": "en", **fields}
    return IssueContent.model_construct(sections=built, **values)


def messages(findings, level):
    return [f.message for f in findings if f.level == level]


def test_a_complete_issue_has_no_findings():
    content = issue(3)
    assert check_issue(content, item_ids=[1, 2, 3], html_bytes=40_000) == []


def test_each_rule_reports_once_with_the_item_it_is_about():
    items = [
        {"headline": "No blurb", "blurb": "", "url": "https://example.org/a"},
        {"headline": "Picture", "blurb": "Text.", "url": "http://example.org/b", "image": "https://example.org/p.png"},
        {"headline": "Same link", "blurb": "Hi *|FNAME|*, read this.", "url": "http://example.org/b"},
        {"headline": "H" * 130, "blurb": "B" * 700, "url": "https://example.org/c"},
    ]
    findings = check_issue(draft((None, items), ("Empty", [])), item_ids=[11, 12, 13, 14], html_bytes=95_000)
    errors, warnings = messages(findings, "error"), messages(findings, "warning")
    assert errors == [
        "Section 2 (Empty) is empty: add items or remove it.",
        "“No blurb” has no blurb.",
        "“Picture” has an image without alt text (screen readers read it).",
        "A leftover merge tag in “Same link”: *|FNAME|*.",
    ]
    assert [f.item_id for f in findings if f.level == "error"] == [None, 11, 12, 13]
    assert sum("over plain HTTP" in w for w in warnings) == 2
    assert sum("as another item does" in w for w in warnings) == 2
    assert any("blurb of 700 characters" in w for w in warnings)
    assert any("headline of 130 characters" in w for w in warnings)
    assert any("95.0 KB, close to Gmail's clipping limit" in w for w in warnings)


def test_size_subject_and_rendering():
    long_subject = draft((None, [{"headline": "A", "blurb": "B", "url": "https://example.org"}]), subject="S" * 70,
                         intro=None)
    findings = check_issue(long_subject, item_ids=[1], html_bytes=GMAIL_CLIP_BYTES + 1)
    assert "Gmail clips messages over 102 KB" in messages(findings, "error")[0]
    assert any("subject has 70 characters" in w for w in messages(findings, "warning"))
    assert any("no preheader or intro" in w for w in messages(findings, "warning"))
    broken = check_issue(issue(1), item_ids=[1], html_bytes=None, render_error="template error")
    assert messages(broken, "error") == ["The email does not render: template error"]
    empty = check_issue(draft((None, [])), item_ids=[], html_bytes=1000)
    assert messages(empty, "error") == ["The issue has no items yet."]


def test_every_leftover_merge_tag_is_reported_not_only_the_first():
    items = [{"headline": "Hello [FNAME]", "blurb": "Hi *|FNAME|*, {{ name }} and *|FNAME|* again.",
              "url": "https://example.org/a", "source": "%%Sender%%"},
             {"headline": "Clean", "blurb": "Dear {{ name }}.", "url": "https://example.org/b"}]
    findings = check_issue(draft((None, items), subject="News for {{ name }} and *|LNAME|*"), item_ids=[3, 4],
                           html_bytes=1000)
    assert messages(findings, "error") == [
        "Leftover merge tags in the subject: {{ name }}, *|LNAME|*.",
        "Leftover merge tags in “Hello [FNAME]”: [FNAME], *|FNAME|*, {{ name }}, %%Sender%%.",
        "A leftover merge tag in “Clean”: {{ name }}.",
    ]
    assert [f.item_id for f in findings if f.level == "error"] == [None, 3, 4]
