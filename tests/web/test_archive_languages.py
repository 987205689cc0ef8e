"""The archive in each language: an index per language (its issues as their editions read, dated
in the language, linked to the other languages' indexes), every page's words in its language
and leading to its language's index and feed, and the organisation's logo, footer text and
social links on archive pages."""

import xml.etree.ElementTree as ET

import lxml.html
import pytest
from playwright.sync_api import expect

from newsletter.db import transaction
from newsletter.editorial.archive import index_of
from newsletter.editorial.branding import save_branding
from newsletter.errors import NotFoundError
from tests.editions.helpers import two_edition_data
from tests.factories import issue_data
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.web.test_edition_archive import SLUG, sent_issue

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ATOM = {"a": "http://www.w3.org/2005/Atom"}
CTA = {"text": "Tu donación ayuda.", "button": "Donar", "url": "https://example.org/give"}


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return lxml.html.document_fromstring(response.text)


def rows(doc):
    return [(li.get("lang"), li.findtext(".//time"), li.findtext(".//a"), li.find(".//a").get("href"))
            for li in doc.xpath("//ul[@class='issues']/li")]


def chrome(doc):
    """The skip link's words, where the masthead leads, and the footer's links."""
    return (doc.xpath("//a[@class='skip']/text()")[0], doc.xpath("//header//a/@href")[0],
            [(a.text, a.get("href")) for a in doc.xpath("//footer//a")],
            doc.xpath("//head/link[@type='application/atom+xml']/@href")[0])


@SQLITE
def test_each_language_has_its_index_of_its_editions_in_its_words(live_server):
    sent_issue(live_server.settings, two_edition_data(2, arabic=True))
    sent_issue(live_server.settings, issue_data(1, title="Only English", date="2024-01-05"))
    client, base = live_server.client, live_server.url

    spanish = page(client, "/archive/in/es")
    assert (spanish.get("lang"), spanish.get("dir"), spanish.findtext(".//h1")) == ("es", "ltr", "Números anteriores")
    assert rows(spanish) == [(None, "29 de diciembre de 2023", "El Informe: 29 de diciembre", f"{SLUG}/es")]
    assert chrome(spanish) == ("Ir al contenido", "/archive/in/es", [
        ("Números anteriores", "/archive/in/es"), ("Canal", "/archive/feed/es.xml"), ("Acceso del equipo", "/login")],
        "/archive/feed/es.xml")
    indexes = {"en": "/archive/in/en", "es": "/archive/in/es", "ar": "/archive/in/ar"}
    assert {(link.get("hreflang"), link.get("href")) for link in spanish.xpath("//head/link[@hreflang]")} == {
        (lang, f"{base}{path}") for lang, path in indexes.items()}
    switch = spanish.xpath("//nav[@class='editions']")[0]
    assert switch.get("aria-label") == "Números anteriores en otros idiomas"
    assert [(a.text, a.get("href")) for a in switch.xpath(".//a")] == [("العربية", indexes["ar"]), ("English", indexes["en"])]

    arabic = page(client, "/archive/in/ar")
    assert (arabic.get("lang"), arabic.get("dir"), arabic.findtext(".//h1")) == ("ar", "rtl", "الأعداد السابقة")
    assert rows(arabic) == [(None, "29 ديسمبر 2023", "النشرة الأسبوعية", f"{SLUG}/ar")]  # no subject: its title
    assert chrome(arabic)[0] == "انتقل إلى المحتوى"

    english = page(client, "/archive/in/en")
    assert [row[2] for row in rows(english)] == ["Only English", "The Weekly Brief"]
    assert client.get("/archive/in/fr").status_code == 404 and client.get("/archive/in/xx-Bad").status_code == 404

    # The whole archive: every issue in its main language, and the way to each language's index.
    whole = page(client, "/archive")
    assert (whole.get("lang"), whole.findtext(".//h1"), whole.xpath("//head/link[@hreflang]")) == ("en", "Past issues", [])
    assert rows(whole) == [(None, "5 January 2024", "Only English", "/archive/2024-01-05-only-english"),
                           (None, "29 December 2023", "The Weekly Brief", SLUG)]
    assert [a.get("href") for a in whole.xpath("//nav[@class='editions']//a")] == [
        indexes["ar"], indexes["en"], indexes["es"]]
    assert chrome(whole)[1:] == ("/archive", [("Past issues", "/archive"), ("Feed", "/archive/feed.xml"),
                                              ("Staff sign-in", "/login")], "/archive/feed.xml")

    feed = ET.fromstring(client.get("/archive/feed/es.xml").content)
    assert feed.find("a:link[@rel='alternate']", ATOM).get("href") == f"{base}/archive/in/es"


@SQLITE
def test_an_index_of_issues_in_several_main_languages_marks_each_row_s_language(live_server):
    sent_issue(live_server.settings, issue_data(1, language="fa", title="خبرنامه", date="2024-01-05"))
    sent_issue(live_server.settings, issue_data(1))
    whole = page(live_server.client, "/archive")
    assert [(li.get("lang"), li.get("dir")) for li in whole.xpath("//ul[@class='issues']/li")] == [
        ("fa", "rtl"), (None, None)]
    persian = page(live_server.client, "/archive/in/fa")
    assert (persian.get("lang"), persian.get("dir")) == ("fa", "rtl")


@SQLITE
def test_an_edition_s_page_says_its_fixed_words_in_its_language_and_leads_to_its_index(live_server):
    sent_issue(live_server.settings, two_edition_data(2, call_to_action=CTA))
    spanish = page(live_server.client, f"{SLUG}/es")
    assert chrome(spanish) == ("Ir al contenido", "/archive/in/es", [
        ("Números anteriores", "/archive/in/es"), ("Canal", "/archive/feed/es.xml")], "/archive/feed/es.xml")
    assert spanish.xpath("//aside[@class='cta']/@aria-label") == ["Llamada a la acción"]
    assert spanish.xpath("//main//a[text()='Todos los números anteriores']/@href") == ["/archive/in/es"]
    english = page(live_server.client, SLUG)
    assert chrome(english)[0] == "Skip to content" and chrome(english)[1] == "/archive/in/en"
    assert english.xpath("//aside[@class='cta']/@aria-label") == ["Call to action"]


@SQLITE
def test_archive_pages_carry_the_logo_footer_text_and_social_links_escaped(live_server):
    with transaction(live_server.settings.database_url) as session:
        save_branding(session=session, settings=live_server.settings, editor="Ada", values={
            "logo_url": "https://example.org/logo.png", "logo_alt": 'Rights "Org" <b>',
            "footer_text": "No government money.\n\nWe <i>never</i> take it.",
            "social_links": "Mastodon <x> https://mastodon.example/@r\nBluesky https://bsky.example/r"})
    sent_issue(live_server.settings, two_edition_data(2))
    for path in ("/archive", "/archive/in/es", SLUG, f"{SLUG}/es"):
        raw = live_server.client.get(path).text
        doc = lxml.html.document_fromstring(raw)
        assert [(img.get("src"), img.get("alt")) for img in doc.xpath("//header//img")] == [
            ("https://example.org/logo.png", 'Rights "Org" <b>')], path
        assert doc.xpath("//footer/p/text()")[:2] == ["No government money.", "We <i>never</i> take it."], path
        assert [(a.text, a.get("href")) for a in doc.xpath("//footer//p[@class='social']/a")] == [
            ("Mastodon <x>", "https://mastodon.example/@r"), ("Bluesky", "https://bsky.example/r")], path
        assert "<i>never" not in raw and "<b>" not in raw and "<x>" not in raw
    preferences_like = lxml.html.document_fromstring(live_server.client.get("/subscribe/weekly").text)
    assert preferences_like.xpath("//header//img") == []  # pages outside the archive stay plain


@SQLITE
def test_a_right_to_left_index_fits_a_phone_and_its_skip_link_shows_when_focused(live_server, browser):  # noqa: F811
    sent_issue(live_server.settings, two_edition_data(2, arabic=True))
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto(f"{live_server.url}/archive/in/ar")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # the hidden skip link adds no width
    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="انتقل إلى المحتوى")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["width"] > 50 and 375 / 2 < box["x"] + box["width"] <= 375  # shown, at the start of a right-to-left line
    context.close()


def test_a_language_only_older_issues_went_out_in_still_has_its_index():
    # Every issue page links its language's index; the index lists the newest issues only.
    older = index_of([], "fr", also={"fr", "en"})
    assert (older.language, older.entries, older.chrome.index_path) == ("fr", [], "/archive/in/fr")
    assert [link.language for link in older.languages] == ["en", "fr"]
    with pytest.raises(NotFoundError):
        index_of([], "fr", also={"en"})
