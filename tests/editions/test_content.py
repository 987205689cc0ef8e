"""Editions in issue files and in the database: read, validated, stored and read back."""

import pytest
import yaml

from newsletter.content import load_issue_file
from newsletter.content.editions import edition_content, untranslated_items
from newsletter.db import transaction
from newsletter.editorial import get_issue, issue_content, save_issue
from newsletter.editorial.preview import draft_content
from newsletter.errors import IssueFileError
from tests.editions.helpers import two_edition_data
from tests.factories import issue_data


def load(tmp_path, data):
    path = tmp_path / "issue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_issue_file(path)


def test_an_edition_takes_each_translation_and_keeps_the_main_text_where_there_is_none(tmp_path):
    content = load(tmp_path, two_edition_data(3))
    es = edition_content(content, "es")
    assert (es.language, es.title, es.effective_subject, es.intro) == (
        "es", "El Informe Semanal", "El Informe: 29 de diciembre", "Una breve puesta al día.")
    assert [(i.headline, i.url) for i in es.items] == [
        ("Titular 1", "https://example.org/es/news/1"), ("Titular 2", "https://example.org/es/news/2"),
        ("Headline number 3", "https://example.org/news/3")]
    assert untranslated_items(content, "es") == [2]
    assert edition_content(content, "en") is content


def test_an_edition_without_a_subject_gets_its_title_and_date_in_its_language(tmp_path):
    data = two_edition_data(2)
    del data["translations"]["es"]["subject"]
    assert edition_content(load(tmp_path, data), "es").effective_subject == "El Informe Semanal: 29 de diciembre de 2023"


@pytest.mark.parametrize(("change", "expected"), [
    ({"editions": ["es", "en"]}, "editions: list each language once, not the main language"),
    ({"editions": []}, "translations: es is not among the editions (none); add it to editions"),
    ({"phrases": {"read_mor": "Go"}}, "phrases: 'read_mor' is not a phrase"),
    ({"phrases": {"receiving": "Sent to {address}"}}, "phrases: phrase 'receiving' names address, which it can use"),
])
def test_bad_editions_are_refused_with_where_and_why(tmp_path, change, expected):
    with pytest.raises(IssueFileError) as caught:
        load(tmp_path, {**two_edition_data(2), **change})
    assert expected in str(caught.value)


def test_todays_files_still_read_and_have_no_editions(tmp_path):
    content = load(tmp_path, issue_data(2))
    assert (content.editions, content.translations, content.phrases) == ([], {}, {})


def test_editions_survive_the_database(tmp_path, database_url):
    content = load(tmp_path, two_edition_data(3, arabic=True, phrases={"read_more": "Continue reading"}))
    with transaction(database_url) as session:
        issue_id = save_issue(session=session, content=content).id
    with transaction(database_url) as session:
        issue = get_issue(session=session, issue_id=issue_id)
        stored, draft = issue_content(issue), draft_content(issue)
    assert stored.model_dump() == content.model_dump()
    assert edition_content(draft, "ar").items[0].headline == "عنوان الخبر الأول"
    assert draft.phrases == {"read_more": "Continue reading"}


def test_an_issue_in_another_main_language_has_its_subject_date_in_that_language(tmp_path):
    content = load(tmp_path, issue_data(1, language="es"))
    assert content.effective_subject == "The Weekly Brief: 29 de diciembre de 2023"
