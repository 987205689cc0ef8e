"""The archive's page per edition, its hreflang alternates and language switch, and its feed
per language; a subscriber choosing their language."""

import xml.etree.ElementTree as ET

import lxml.html
import pytest

from newsletter.content.models import IssueContent
from newsletter.db import transaction
from newsletter.editorial import save_issue
from newsletter.sending import create_send
from tests.editions.helpers import two_edition_data

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ATOM = {"a": "http://www.w3.org/2005/Atom"}
SLUG = "/archive/2023-12-29-the-weekly-brief"


def sent_issue(settings, data):  # the live server made the list weekly
    with transaction(settings.database_url) as session:
        issue_id = save_issue(session=session, content=IssueContent.model_validate(data)).id
        create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"], force=True)


@SQLITE
def test_each_edition_has_its_page_linked_to_the_others_and_its_feed(live_server):
    sent_issue(live_server.settings, two_edition_data(2, arabic=True))
    client, base = live_server.client, live_server.url

    main = lxml.html.document_fromstring(client.get(SLUG).text)
    spanish = client.get(f"{SLUG}/es")
    arabic = lxml.html.document_fromstring(client.get(f"{SLUG}/ar").text)
    page = lxml.html.document_fromstring(spanish.text)
    assert (page.get("lang"), page.get("dir"), page.findtext(".//h1")) == ("es", "ltr", "El Informe Semanal")
    assert (arabic.get("lang"), arabic.get("dir"), arabic.findtext(".//h1")) == ("ar", "rtl", "النشرة الأسبوعية")
    assert page.xpath("//p[@class='meta']/text()")[0] == "29 de diciembre de 2023"
    assert page.xpath("//article//a/text()")[:2] == ["Titular 1", "Leer más"]
    for doc in (main, page, arabic):  # every page names every edition, itself included
        assert {(link.get("hreflang"), link.get("href")) for link in doc.xpath("//head/link[@hreflang]")} == {
            ("en", f"{base}{SLUG}"), ("es", f"{base}{SLUG}/es"), ("ar", f"{base}{SLUG}/ar")}
    switch = page.xpath("//nav[@class='editions']")[0]
    assert switch.get("aria-label") == "Este número en otros idiomas"
    assert [(a.text, a.get("href")) for a in switch.xpath(".//a")] == [("English", SLUG), ("العربية", f"{SLUG}/ar")]
    assert switch.xpath(".//strong/text()") == ["español"]
    assert page.xpath("//head/link[@type='application/atom+xml']/@href") == ["/archive/feed/es.xml"]

    assert client.get(f"{SLUG}/fr").status_code == 404
    main_again = client.get(f"{SLUG}/en", follow_redirects=False)
    assert (main_again.status_code, main_again.headers["location"]) == (301, SLUG)

    feed = ET.fromstring(client.get("/archive/feed/es.xml").content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    assert [(e.findtext("a:title", namespaces=ATOM), e.find("a:link", ATOM).get("href"))
            for e in feed.findall("a:entry", ATOM)] == [("El Informe: 29 de diciembre", f"{base}{SLUG}/es")]
    assert ET.fromstring(client.get("/archive/feed/fr.xml").content).findall("a:entry", ATOM) == []
    english = ET.fromstring(client.get("/archive/feed.xml").content)
    assert english.find("a:entry/a:link", ATOM).get("href") == f"{base}{SLUG}"
