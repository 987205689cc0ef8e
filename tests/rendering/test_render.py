import re

import lxml.html
import pytest

from newsletter.content.branding import Branding
from newsletter.rendering import render_issue
from newsletter.rendering.preview import preview_fields
from tests.factories import issue, item

GMAIL_CLIP_BYTES = 102 * 1024


@pytest.fixture
def fields(settings):
    return {
        "name": "Ana",
        "email": "ana@example.org",
        "unsubscribe_url": "https://news.example.org/unsubscribe/TOKEN123",
        "web_url": "https://news.example.org/archive/2023-12-29-the-weekly-brief",
    }


def render(content, settings, fields):
    rendered = render_issue(content, settings)
    html = rendered.html.fill(fields)
    return rendered, html, lxml.html.document_fromstring(html), rendered.text.fill(fields)


def test_email_structure(settings, fields):
    content = issue(3, preheader="Front-loaded preview text")
    rendered, html, doc, _ = render(content, settings, fields)
    assert html.lower().startswith("<!doctype html>")  # premailer drops it; standards mode needs it
    assert doc.get("lang") == "en"
    assert doc.findtext(".//title") == "The Weekly Brief: 29 December 2023"
    preheader = doc.body.xpath("./div[1]")[0]  # the first, hidden text of the body
    assert "display:none" in preheader.get("style").replace(" ", "")
    assert preheader.text_content().startswith("Front-loaded preview text")
    filler = preheader.text_content().removeprefix("Front-loaded preview text")
    assert filler.strip("\u034f\u200c\xa0") == ""  # only invisible filler follows it
    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert headings == [f"Headline number {n}" for n in (1, 2, 3)]
    for n in (1, 2, 3):
        links = doc.xpath(f"//a[@href='https://example.org/news/{n}']")
        assert len(links) == 2  # headline and "Read more"
        assert links[1].get("aria-label") == f"Read more: Headline number {n}"
    assert rendered.subject == "The Weekly Brief: 29 December 2023"


def test_footer_has_unsubscribe_web_version_and_postal_address(settings, fields):
    _, _, doc, text = render(issue(1), settings, fields)
    assert doc.xpath("//a[text()='Unsubscribe']/@href") == [fields["unsubscribe_url"]]
    assert doc.xpath("//a[text()='View this issue in your browser']/@href") == [fields["web_url"]]
    assert settings.postal_address in doc.body.text_content()
    assert f"Unsubscribe: {fields['unsubscribe_url']}" in text
    assert settings.postal_address in text


def test_css_is_inlined_but_responsive_rules_survive(settings, fields):
    _, html, doc, _ = render(issue(2), settings, fields)
    heading = doc.xpath("//h2")[0]
    assert "font-size:22px" in heading.get("style").replace(" ", "")
    styles = " ".join(doc.xpath("//style/text()"))
    assert re.search(r"\.mj-column-per-100\s*\{\s*width:\s*100%\s*!important", styles)
    assert "@media only screen and (max-width: 480px)" in styles
    assert "googleapis" not in html and "<link" not in html


def test_html_in_user_text_shows_as_text(settings, fields):
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    content = issue(0, intro=f"Intro {evil}", items=[item(1, headline=f"Head {evil}", blurb=f"Blurb {evil}", source=evil)])
    _, html, doc, text = render(content, settings, fields)
    assert doc.xpath("//script") == []
    assert doc.xpath("//img[@onerror]") == []
    assert f"Head {evil}" in doc.xpath("//h2")[0].text_content()
    assert f"Blurb {evil}" in doc.body.text_content()
    assert f"Head {evil}" in text  # plain text shows it as written


def test_attribute_breakout_in_urls_is_escaped(settings, fields):
    url = 'https://example.org/a"onmouseover="alert(1)'
    _, _, doc, _ = render(issue(0, items=[item(1, url=url)]), settings, fields)
    assert doc.xpath("//a[@onmouseover]") == []
    assert doc.xpath("//h2/a/@href") == [url]  # the quote stays inside the attribute


def test_recipient_values_are_escaped_in_html_not_in_text(settings, fields):
    rendered = render_issue(issue(1), settings)
    values = {**fields, "name": "<b>Ana</b> & co"}
    html = rendered.html.fill(values)
    assert "Hi &lt;b&gt;Ana&lt;/b&gt; &amp; co," in html
    assert "Hi <b>Ana</b> & co," in rendered.text.fill(values)


def test_unicode_renders_in_both_parts(settings, fields):
    headline = "Défenseurs des droits — 人权捍卫者 — 😀"
    content = issue(0, items=[item(1, headline=headline, blurb="Ñandú, Ελληνικά, עברית, 日本語")])
    _, html, doc, text = render(content, settings, fields)
    assert doc.xpath("//h2")[0].text_content() == headline
    assert headline in text and "Ñandú, Ελληνικά, עברית, 日本語" in text
    assert 'charset="utf-8"' in html.lower() or "charset=utf-8" in html.lower()


def test_right_to_left_issue_is_marked_and_aligned(settings, fields):
    content = issue(0, language="ar", title="الموجز الأسبوعي", items=[item(1, headline="عنوان الخبر", blurb="نص قصير")])
    _, _, doc, text = render(content, settings, fields)
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"
    headline_block = doc.xpath("//h2/ancestor::div[1]")[0]
    assert "text-align:right" in headline_block.get("style").replace(" ", "")
    assert "عنوان الخبر" in text


def test_fifteen_item_issue_stays_well_under_gmail_clipping(settings, fields):
    long_blurb = "A review of a state's record, summarised by an editor in three full sentences. " * 3
    items = [item(n, headline=f"A fairly long headline about human rights, number {n}", blurb=long_blurb) for n in range(15)]
    _, html, _, _ = render(issue(0, items=items), settings, fields)
    size = len(html.encode("utf-8"))
    assert size < GMAIL_CLIP_BYTES * 0.7, f"{size} bytes"


def test_text_part_has_every_headline_and_link_and_no_markup(settings, fields):
    content = issue(5)
    _, _, _, text = render(content, settings, fields)
    for it in content.items:
        assert it.headline in text
        assert f"Read more: {it.url}" in text
    assert "<" not in text and "__NL_" not in text
    assert "\n\n\n" not in text
    assert all(len(line) <= 72 or "://" in line for line in text.splitlines())


def test_rendering_makes_no_network_call(settings, no_network):
    rendered = render_issue(issue(3, items=[item(1, image="https://example.org/i.png", image_alt="Alt")]), settings)
    assert "https://example.org/i.png" in rendered.html.source
    assert no_network == []


def test_rendering_is_deterministic(settings):
    assert render_issue(issue(4), settings).html.source == render_issue(issue(4), settings).html.source


def test_preview_fields_fill_every_slot(settings):
    rendered = render_issue(issue(1), settings)
    fields = preview_fields(settings, "2023-12-29-the-weekly-brief")
    assert rendered.html.fields <= fields.keys() and rendered.text.fields <= fields.keys()
    assert "__NL_" not in rendered.html.fill(fields)


def test_each_render_inlines_its_own_colours_though_style_rules_are_kept_between_renders(settings):
    def render_in(colour: str) -> str:
        brand = Branding(organisation_name="Rights Org", postal_address="1 Road, Town", primary_colour=colour)
        return render_issue(issue(2), settings, branding=brand).html.source

    first, other, again = render_in("#0b3d2e"), render_in("#123c69"), render_in("#0b3d2e")
    read_more = lxml.html.document_fromstring(other).xpath("//p[@class='read-more']/a")[0]
    assert "color:#123c69" in read_more.get("style").replace(" ", "")  # a { color: <primary> }
    assert "#0b3d2e" not in other and again == first
