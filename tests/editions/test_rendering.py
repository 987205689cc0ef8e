"""Each edition rendered in its language and direction, with its phrases and dates."""

import lxml.html

from newsletter.content.models import IssueContent
from newsletter.rendering.editions import render_editions
from newsletter.rendering.text import RLM
from tests.editions.helpers import two_edition_data

FIELDS = {"name": "Ana", "email": "ana@example.org", "unsubscribe_url": "https://news.example.org/u/T",
          "web_url": "https://news.example.org/archive/x"}


def rendered(settings, **overrides):
    content = IssueContent.model_validate(two_edition_data(3, arabic=True, **overrides))
    editions = render_editions(content, settings)
    return {language: (lxml.html.document_fromstring(r.html.fill(FIELDS)), r.text.fill(FIELDS), r)
            for language, r in editions.items()}


def test_an_arabic_edition_reads_right_to_left_in_both_parts(settings):
    editions = rendered(settings)
    doc, text, _ = editions["ar"]
    assert (doc.get("lang"), doc.get("dir")) == ("ar", "rtl")
    headline = doc.xpath("//h2[.//a[text()='عنوان الخبر الأول']]")[0]
    styles = [(a.get("style") or "").replace(" ", "") for a in headline.iterancestors()]
    assert "text-align:right" in styles[0] and any("direction:rtl" in s for s in styles)
    assert doc.body.xpath("./div[@dir='rtl']")
    lines = [line for line in text.splitlines() if line]
    assert lines[0] == "النشرة الأسبوعية"
    # Every line opens with right-to-left text or a right-to-left mark: the untranslated
    # item's English headline, the links and the Latin postal address too.
    assert all(line.startswith(RLM) or "\u0600" <= line.lstrip("0123456789. ")[0] <= "\u06ff" for line in lines)
    assert f"{RLM}2. Headline number 2" in lines
    assert "اقرأ المزيد: https://example.org/news/1" in lines
    english_doc, english_text, _ = editions["en"]
    assert (english_doc.get("dir"), RLM in english_text) == ("ltr", False)


def test_fixed_phrases_and_dates_come_in_the_editions_language(settings):
    editions = rendered(settings)
    doc, text, result = editions["es"]
    assert doc.get("lang") == "es"
    assert result.subject == "El Informe: 29 de diciembre"
    assert "29 de diciembre de 2023" in text and "Hola, Ana:" in text
    assert doc.xpath("//a[text()='Darse de baja']/@href") == [FIELDS["unsubscribe_url"]]
    assert doc.xpath("//a[text()='Ver este número en el navegador']/@href") == [FIELDS["web_url"]]
    links = doc.xpath("//a[@href='https://example.org/es/news/1']")
    assert [a.get("aria-label") for a in links] == [None, "Leer más: Titular 1"]
    assert "Recibes The Weekly Brief porque te suscribiste como ana@example.org." in doc.text_content()
    assert "Leer más: https://example.org/news/3" in text  # untranslated item, Spanish phrases
    assert "29 ديسمبر 2023" in editions["ar"][1]
    assert "Read more" not in doc.text_content() + text


def test_an_issue_overrides_a_phrase_in_its_main_language_and_in_an_edition(settings):
    editions = rendered(settings, phrases={"read_more": "Continue reading", "unsubscribe": "Stop these emails"})
    doc, text, _ = editions["en"]
    assert doc.xpath("//a[@href='https://example.org/news/1']/text()") == ["Headline number 1", "Continue reading"]
    assert "Stop these emails: https://news.example.org/u/T" in text
    assert "Read more" not in doc.text_content() + text
    assert "Leer más" in editions["es"][1]  # the override is the main language's, not Spanish

    data = two_edition_data(2)
    data["translations"]["es"]["phrases"] = {"read_more": "Seguir leyendo"}
    spanish = render_editions(IssueContent.model_validate(data), settings)["es"].text.fill(FIELDS)
    assert "Seguir leyendo: https://example.org/es/news/1" in spanish
