"""The content shapes and the branding in the database (SQLite and PostgreSQL): an issue of
every shape comes back as it went in, the branding overrides the settings field by field, and
pre-flight refuses what the shapes and the branding get wrong."""

import pytest
from pydantic import ValidationError

from newsletter.content.branding import settings_branding
from newsletter.content.models import IssueContent
from newsletter.db import transaction
from newsletter.editorial import get_issue, issue_content, save_issue
from newsletter.editorial.branding import current_branding, save_branding
from newsletter.editorial.preview import preview_issue
from newsletter.editorial.shape_checks import shape_findings
from tests.content.test_issue_file_shapes import CTA, SHAPED_ITEM, article_data
from tests.factories import issue, item


@pytest.mark.parametrize("content", [
    issue(0, items=[item(1, **SHAPED_ITEM), item(2)], call_to_action=CTA),
    IssueContent.model_validate(article_data(call_to_action={**CTA, "position": "after_intro", "section": None})),
], ids=["items", "article"])
def test_an_issue_of_each_shape_comes_back_from_the_database_as_it_went_in(db_settings, content):
    with transaction(db_settings.database_url) as session:
        issue_id = save_issue(session=session, content=content).id
    with transaction(db_settings.database_url) as session:
        stored = get_issue(session=session, issue_id=issue_id)
        assert issue_content(stored) == content
        assert preview_issue(stored, db_settings).approvable


def test_branding_overrides_the_settings_field_by_field_and_preflight_refuses_what_fails(db_settings):
    content = issue(0, items=[item(n, featured=True) for n in (1, 2, 3)])
    with transaction(db_settings.database_url) as session:
        assert current_branding(session=session, settings=db_settings).primary_colour == "#1d3557"
        issue_id = save_issue(session=session, content=content).id
        save_branding(session=session, settings=db_settings, editor="Ada",
                      values={"accent_colour": "#E0A0A0", "logo_url": "https://example.org/logo.png"})
    with transaction(db_settings.database_url) as session:
        branding = current_branding(session=session, settings=db_settings)
        assert (branding.accent_colour, branding.primary_colour, branding.organisation_name) == (
            "#e0a0a0", "#1d3557", db_settings.organisation_name)
        shown = preview_issue(get_issue(session=session, issue_id=issue_id), db_settings)
    errors = [f.message for f in shown.findings if f.level == "error"]
    assert [e.split(" has ")[0] for e in errors[:2]] == ["The accent colour #e0a0a0", "The logo"]
    assert errors[2] == ("3 items are featured; an issue features at most 2, or none of them stands out. "
                         "Untick “featured” on 1 of them.")
    assert not shown.approvable
    assert "#e0a0a0" in shown.html and 'alt="' in shown.html  # the preview shows the branding it checks


def test_a_bad_branding_value_is_refused_and_stores_nothing(db_settings):
    with transaction(db_settings.database_url) as session:
        with pytest.raises(ValidationError) as caught:
            save_branding(session=session, settings=db_settings, editor="Ada",
                          values={"primary_colour": "navy", "social_links": "Mastodon mastodon.example"})
    assert {e["loc"][0] for e in caught.value.errors()} == {"primary_colour", "social_links"}
    with transaction(db_settings.database_url) as session:
        assert current_branding(session=session, settings=db_settings).primary_colour == "#1d3557"


def test_preflight_names_what_an_unfinished_call_to_action_or_article_lacks(db_settings):
    with transaction(db_settings.database_url) as session:
        brief_id = save_issue(session=session, content=issue(2)).id
        article_id = save_issue(session=session, content=IssueContent.model_validate(article_data())).id
    with transaction(db_settings.database_url) as session:
        brief, article = get_issue(session=session, issue_id=brief_id), get_issue(session=session, issue_id=article_id)
        brief.cta_button, brief.cta_position, brief.cta_section = "Donate", "after_section", 4
        article.body = None
        session.flush()
        brief_errors = [f.message for f in preview_issue(brief, db_settings).findings if f.level == "error"]
        article_errors = [f.message for f in preview_issue(article, db_settings).findings if f.level == "error"]
    assert brief_errors == ["The call to action has no text or link: add it, or clear the call to action.",
                            "The call to action goes after section 4, but the issue has 1."]
    assert article_errors == ["The article has no body yet."]


def test_more_than_two_featured_items_is_an_error_and_two_are_fine(settings):
    branding = settings_branding(settings)
    two = issue(0, items=[item(n, featured=n <= 2) for n in (1, 2, 3)])
    assert shape_findings(two, branding) == []
    three = issue(0, items=[item(n, featured=True) for n in (1, 2, 3, 4)])
    assert [(f.level, f.message) for f in shape_findings(three, branding)] == [
        ("error", ("4 items are featured; an issue features at most 2, or none of them stands out. "
                   "Untick “featured” on 2 of them."))]
