"""A single article in several languages: its body translated per edition, stored, sent as each
edition's readers get it, and missing where nobody translated it (pre-flight says so)."""

import pytest

from newsletter.content import IssueContent
from newsletter.content.editions import edition_content
from newsletter.db import transaction
from newsletter.editorial import get_issue, issue_content, save_issue
from newsletter.editorial.edition_checks import edition_findings
from newsletter.editorial.editions import edition_statuses
from newsletter.rendering import render_issue
from tests.factories import issue_data

BODY = "The court freed [three journalists](https://example.org/ruling).\n\n> Justice was done."
CUERPO = "El tribunal liberó a [tres periodistas](https://example.org/es/fallo).\n\n> Se hizo justicia."


def article(**translations) -> IssueContent:
    data = {k: v for k, v in issue_data(0).items() if k != "items"}
    return IssueContent.model_validate({**data, "format": "article", "body": BODY, "dateline": "GENEVA",
                                        "intro": None, "editions": ["es", "fr"], "translations": translations})


def test_each_edition_has_its_own_body_or_the_main_one(settings):
    content = article(es={"title": "Liberados", "body": CUERPO})
    es, fr = edition_content(content, "es"), edition_content(content, "fr")
    assert (es.body, fr.body) == (CUERPO, BODY)
    html = render_issue(es, settings).html.source
    assert "tres periodistas" in html and "three journalists" not in html
    assert "https://example.org/es/fallo" in html


def test_an_edition_without_the_article_is_warned_of_and_shown_as_missing():
    content = article(es={"body": CUERPO, "dateline": "GINEBRA"})
    findings = [(f.level, f.message) for f in edition_findings(content, [], {})]
    assert ("warning", "The article has no translation in French (fr) edition: it goes out in English there.") \
        in findings
    assert not any("Spanish" in message for _, message in findings)
    missing = {status.language: status.missing_front for status in edition_statuses(content)}
    assert "body" in missing["fr"] and "body" not in missing["es"]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_an_articles_translations_survive_the_database(database_url):
    with transaction(database_url) as session:
        issue_id = save_issue(session=session, content=article(es={"title": "Liberados", "body": CUERPO})).id
    with transaction(database_url) as session:
        stored = issue_content(get_issue(session=session, issue_id=issue_id))
    assert stored.translations["es"].body == CUERPO and stored.body == BODY
