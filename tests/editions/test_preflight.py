"""Pre-flight checks of editions: an untranslated item warns, an edition with a subject and no
translated item is an error, each edition's size is checked."""

import pytest

from newsletter.content.models import IssueContent
from newsletter.db import transaction
from newsletter.editorial import get_issue, save_issue
from newsletter.editorial.edition_checks import edition_findings
from newsletter.editorial.preview import preview_issue
from tests.editions.helpers import two_edition_data

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_an_untranslated_item_warns_and_names_its_edition():
    content = IssueContent.model_validate(two_edition_data(3, arabic=True))
    findings = edition_findings(content, [11, 12, 13], {"es": 30_000, "ar": 30_000})
    assert [(f.level, f.message, f.item_id) for f in findings] == [
        ("warning", "“Headline number 3” has no translation in Spanish (es) edition: it goes out in English there.", 13),
        ("warning", "“Headline number 2” has no translation in Arabic (ar) edition: it goes out in English there.", 12),
        ("warning", "“Headline number 3” has no translation in Arabic (ar) edition: it goes out in English there.", 13),
    ]


def test_an_edition_with_a_subject_and_no_translated_item_is_an_error():
    data = two_edition_data(2)
    for item in data["items"]:
        item.pop("translations", None)
    content = IssueContent.model_validate(data)
    [error, *warnings] = edition_findings(content, [1, 2], {"es": 120_000})
    assert (error.level, error.message) == ("error", "The Spanish (es) edition has a subject but none of its items "
                                                     "is translated: translate them, or remove the edition.")
    assert [f.level for f in warnings] == ["error", "warning", "warning"]
    assert warnings[0].message.startswith("The Spanish (es) edition is 120.0 KB: Gmail clips")


@SQLITE
def test_the_preview_checks_every_edition(database_url, settings):
    data = two_edition_data(2)
    data["translations"]["es"]["title"] = "El {{ titulo }}"
    with transaction(database_url) as session:
        issue = get_issue(session=session, issue_id=save_issue(
            session=session, content=IssueContent.model_validate(data)).id)
        findings = preview_issue(issue, settings.model_copy(update={"database_url": database_url})).findings
    assert ("error", "A leftover merge tag in the es front matter: {{ titulo }}.") in [(f.level, f.message) for f in findings]
    assert ("warning", "“Headline number 2” has no translation in Spanish (es) edition: it goes out in English there."
            ) in [(f.level, f.message) for f in findings]


@SQLITE
def test_an_editions_preview_links_its_own_web_version(database_url, settings):
    with transaction(database_url) as session:
        issue = get_issue(session=session, issue_id=save_issue(
            session=session, content=IssueContent.model_validate(two_edition_data(2))).id)
        shown = {edition: preview_issue(issue, settings.model_copy(update={"database_url": database_url}), edition)
                 for edition in (None, "es")}
    web = f"{settings.base_url}/archive/{issue.slug}"
    assert f'href="{web}/es"' in shown["es"].html and f"{web}/es" in shown["es"].text  # as a Spanish reader's
    assert f'href="{web}"' in shown[None].html and f"{web}/es" not in shown[None].text
