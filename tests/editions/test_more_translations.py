"""An issue's every translatable part in its editions: an article's dateline and byline, the call
to action's text, button and link, the section titles, an item's kicker, image alt text, caption
and credit. Each edition renders its translation in both parts of the email, or the main
language's where it gives none; issue files and the database keep them; HTML in them is text;
an edition's own call-to-action link is tracked like the main one's."""

from html.parser import HTMLParser

import lxml.html
import pytest

from newsletter.content import IssueContent, load_issue_file
from newsletter.content.editions import edition_content
from newsletter.db import transaction
from newsletter.editorial import get_issue, issue_content, save_issue
from newsletter.editorial.preview import draft_content
from newsletter.rendering.editions import render_editions
from tests.content.test_issue_file import error_of, write
from tests.editions.more_helpers import ARTICLE_ES, BRIEF_ES, CTA, ITEM_ES, article_data, brief_data
from tests.tracking.click_helpers import send_issue
from tests.tracking.test_click_links import link_table

FIELDS = {"name": "Ana", "email": "ana@example.org", "unsubscribe_url": "https://news.example.org/u/T",
          "web_url": "https://news.example.org/archive/x"}
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>'

# (part, the issue, its Spanish, its English (the main language's), shown in the text part)
PARTS = [
    ("dateline", article_data, ARTICLE_ES["dateline"], "GENEVA, 3 December", True),
    ("byline", article_data, ARTICLE_ES["byline"], "Benedict Rogers", True),
    ("call-to-action text", brief_data, "Tu donación puede detener abusos.", "Your gift can help stop abuses.", True),
    ("call-to-action button", brief_data, "Donar", "Donate", True),
    ("call-to-action link", brief_data, "https://example.org/es/donar", "https://example.org/give", True),
    ("section title", brief_data, "Europa", "Europe", True),
    ("kicker", brief_data, ITEM_ES["kicker"], "North Korea", True),
    ("image alt text", brief_data, ITEM_ES["image_alt"], "Guards outside the compound", False),
    ("image caption", brief_data, ITEM_ES["image_caption"], "A guard at the embassy gate.", True),
    ("image credit", brief_data, ITEM_ES["image_credit"], "© 2016 Reuters", True),
]


def parts(data: dict, settings) -> dict[str, tuple[str, str]]:
    """Each edition's (HTML as a reader sees it: its text, links and alt texts; text part), upper-cased."""
    editions = render_editions(IssueContent.model_validate(data), settings)
    shown = {}
    for language, rendered in editions.items():
        doc = lxml.html.document_fromstring(rendered.html.fill(FIELDS))
        seen = " ".join([doc.text_content(), *doc.xpath("//@href"), *doc.xpath("//@alt")])
        shown[language] = (seen.upper(), rendered.text.fill(FIELDS).upper())
    return shown


@pytest.mark.parametrize(("part", "data", "spanish", "english", "in_text"), PARTS, ids=[p[0] for p in PARTS])
def test_an_edition_shows_its_translation_and_the_main_languages_without_one(settings, part, data, spanish,
                                                                             english, in_text):
    shown = parts(data(), settings)
    html, text = shown["es"]
    assert spanish.upper() in html and english.upper() not in html
    assert (spanish.upper() in text) is in_text and english.upper() not in text
    for language in ("en", "fr"):  # French has no translation: the main language's
        html, text = shown[language]
        assert english.upper() in html and spanish.upper() not in html
        assert (english.upper() in text) is in_text and spanish.upper() not in text


def test_a_translated_call_to_action_keeps_its_place_and_a_partial_one_the_rest_of_the_main():
    content = IssueContent.model_validate(brief_data(es={"call_to_action": {"button": "Donar"}}))
    cta = edition_content(content, "es").call_to_action
    assert (cta.text, cta.button, cta.url, cta.position, cta.section) == (
        "Your gift can help stop abuses.", "Donar", "https://example.org/give", "after_section", 1)
    assert [s.title for s in edition_content(content, "es").sections] == ["Asia", "Europe"]


def test_section_titles_follow_their_section_by_its_main_title():
    data = brief_data(es={"section_titles": BRIEF_ES["section_titles"]}, call_to_action=None)
    data["sections"].reverse()
    es = edition_content(IssueContent.model_validate(data), "es")
    assert [s.title for s in es.sections] == ["Europa", "Asia y el Pacífico"]


@pytest.mark.parametrize("name", ["issue.yaml", "issue.json"])
@pytest.mark.parametrize("data", [brief_data(), article_data(es={**ARTICLE_ES, "call_to_action": {"button": "Donar"}})],
                         ids=["brief", "article"])
def test_every_translation_survives_an_issue_files_round_trip(tmp_path, name, data):
    content = load_issue_file(write(tmp_path, data, name))
    again = load_issue_file(write(tmp_path, content.model_dump(mode="json", exclude_defaults=True), "again-" + name))
    assert again == content
    es = content.translations["es"]
    if content.format == "items":
        assert es.section_titles == BRIEF_ES["section_titles"]
        assert es.call_to_action.model_dump() == BRIEF_ES["call_to_action"]
        assert content.items[0].translations["es"].model_dump() == {**ITEM_ES, "blurb": None, "url": None}
    else:
        assert (es.dateline, es.byline, es.call_to_action.button) == (
            ARTICLE_ES["dateline"], ARTICLE_ES["byline"], "Donar")


@pytest.mark.parametrize(("data", "expected"), [
    (brief_data(es={"section_titles": {"Asai": "Asia"}}),
     "translations.es.section_titles: 'Asai' is not the title of a section"),
    (brief_data(call_to_action=None), "translations.es.call_to_action: the issue has no call_to_action to translate"),
    (brief_data(es={"call_to_action": {"url": "http://example.org/es"}}),
     "translations.es.call_to_action.url: must be an https:// URL"),
    (brief_data(es={"section_titles": {"Asia": "Two\nlines"}}), "must be a single line"),
    (brief_data(item_es={"kicker": "x" * 101}), "item 1, translations.es.kicker: value should have at most 100"),
    (brief_data(es={"cta": {"text": "x"}}), "translations.es.cta: is not a known field"),
])
def test_a_mistake_in_a_translation_is_named(tmp_path, data, expected):
    assert expected in error_of(write(tmp_path, data))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("data", [brief_data(), article_data()], ids=["brief", "article"])
def test_every_translation_survives_the_database(database_url, data):
    content = IssueContent.model_validate(data)
    with transaction(database_url) as session:
        issue_id = save_issue(session=session, content=content).id
    with transaction(database_url) as session:
        issue = get_issue(session=session, issue_id=issue_id)
        stored, draft = issue_content(issue), draft_content(issue)
        if issue.sections:
            issue.sections[1].title = "Western Europe"  # renamed: its old title's translation no longer applies
        issue.cta_text = issue.cta_button = issue.cta_url = None  # cleared: its translation goes with it
        session.flush()
        renamed = issue_content(get_issue(session=session, issue_id=issue_id))
    assert stored.model_dump() == content.model_dump()
    assert edition_content(draft, "es").model_dump() == edition_content(content, "es").model_dump()
    assert renamed.translations["es"].call_to_action is None
    if content.format == "items":
        assert renamed.translations["es"].section_titles == {"Asia": "Asia y el Pacífico"}


class Tags(HTMLParser):
    """Every tag of a document."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def hostile_editions() -> list[IssueContent]:
    """A brief and an article whose every translated new part in Spanish is HTML."""
    brief = brief_data(es={"section_titles": {"Asia": HOSTILE, "Europe": HOSTILE},
                           "call_to_action": {"text": HOSTILE, "button": "<script>x</script>"}},
                       item_es={key: HOSTILE for key in ("kicker", "image_alt", "image_caption", "image_credit")})
    article = article_data(es={"dateline": HOSTILE, "byline": HOSTILE})
    return [IssueContent.model_validate(data) for data in (brief, article)]


def test_html_in_every_translated_part_is_escaped(settings):
    for content in hostile_editions():
        rendered = render_editions(content, settings)["es"]
        html = rendered.html.fill(FIELDS)
        tags = Tags(html).tags
        assert "script" not in tags and tags.count("img") <= 1  # the photo only
        assert "&lt;script&gt;" in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
        assert HOSTILE in rendered.text.fill(FIELDS) or HOSTILE.upper() in rendered.text.fill(FIELDS)


def test_an_editions_own_call_to_action_link_is_tracked_as_a_link_of_no_item(db_settings):
    donate, donar = CTA["url"], "https://example.org/es/donar"
    sent = send_issue(db_settings, editions=["es"], call_to_action=CTA,
                      translations={"es": {"call_to_action": {"url": donar}}})
    table = link_table(db_settings.database_url, sent.send_id)
    assert [row[1:] for row in table[3:]] == [(donate, None), (donar, None)]  # after the three items'
