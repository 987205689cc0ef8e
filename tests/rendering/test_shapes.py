"""The content shapes in both parts of the email: an item's kicker, byline, caption, credit and
featured treatment; the call to action in each position; the single-article format with its
endnotes; the branding; and everything an editor types escaped."""

from html.parser import HTMLParser

import pytest

from newsletter.content.branding import Branding
from newsletter.content.models import IssueContent
from newsletter.editorial.preflight import SIZE_WARNING_BYTES
from newsletter.rendering import render_issue
from newsletter.rendering.article import render_article
from newsletter.rendering.preview import preview
from tests.factories import issue, issue_data, item

PHOTO = {"image": "https://example.org/photo.jpg", "image_alt": "The embassy gate",
         "image_caption": "A guard at the embassy gate.", "image_credit": "© 2016 Reuters"}
CTA = {"text": "Your gift can help stop abuses.", "button": "Donate", "url": "https://example.org/give"}
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def article(body: str, **overrides) -> IssueContent:
    """A single-article issue with ``body``."""
    data = {k: v for k, v in issue_data(0).items() if k != "items"}
    return IssueContent.model_validate({**data, "format": "article", "title": "Release the detained journalists",
                                        "dateline": "Seoul, 3 December 2026", "byline": "Benedict Rogers",
                                        "intro": None, "body": body, **overrides})


def in_sections(sections: list[dict], **overrides) -> IssueContent:
    """An issue of titled sections."""
    data = {k: v for k, v in issue_data(0).items() if k != "items"}
    return IssueContent.model_validate({**data, "sections": sections, **overrides})


def both(settings, content, branding: Branding | None = None) -> tuple[str, str]:
    return preview(render_issue(content, settings, branding=branding), settings, content.slug)


class Links(HTMLParser):
    """Every tag and every href of a document."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]


def test_kicker_is_above_the_headline_and_byline_caption_and_credit_follow_in_both_parts(settings):
    html, text = both(settings, issue(0, items=[item(1, kicker="North Korea", byline="Benedict Rogers", **PHOTO)]))
    assert html.index("North Korea") < html.index("Headline number 1") < html.index("By Benedict Rogers")
    assert html.index("photo.jpg") < html.index("A guard at the embassy gate.") < html.index("Headline number 1")
    assert '<span class="credit"' in html and "© 2016 Reuters" in html
    assert text.index("NORTH KOREA\n1. Headline number 1\nBy Benedict Rogers\n") < text.index("Read more")
    assert "Photo: A guard at the embassy gate. © 2016 Reuters" in text


def test_a_featured_item_gets_the_larger_treatment_with_its_image_first(settings):
    html, _ = both(settings, issue(0, items=[item(1, featured=True, **PHOTO), item(2, **PHOTO, featured=False)]))
    assert html.count('class="headline featured"') == 1
    first, second = html.index("Headline number 1"), html.index("Headline number 2")
    assert html.index("photo.jpg") < first
    assert "font-size:27px" in html[html.index('class="headline featured"'):second].replace(" ", "")


@pytest.mark.parametrize(("position", "section", "before", "after"), [
    ("after_intro", None, "Just a quick update", "Headline number 1"),
    ("after_section", 1, "Headline number 2", "Headline number 3"),
    ("end", None, "Headline number 3", "View this issue in your browser"),
])
def test_the_call_to_action_goes_where_it_is_placed_in_both_parts(settings, position, section, before, after):
    content = in_sections([{"title": "Asia", "items": [item(1), item(2)]}, {"title": "Europe", "items": [item(3)]}],
                          call_to_action={**CTA, "position": position, "section": section})
    html, text = both(settings, content)
    for part, button in ((html, ">Donate</a>"), (text, "Donate: https://example.org/give")):
        assert part.index(before) < part.index(button) < part.index(after)
    assert html.count("https://example.org/give") == 1


def test_html_in_every_new_field_is_escaped(settings):
    fields = {"kicker": HOSTILE, "byline": HOSTILE, "image_caption": HOSTILE, "image_credit": HOSTILE}
    brand = Branding(organisation_name=HOSTILE, postal_address=HOSTILE, footer_text=HOSTILE,
                     logo_url="https://example.org/logo.png", logo_alt=HOSTILE,
                     social_links=[{"label": "<script>x</script>", "url": "https://example.org/s"}])
    content = issue(0, items=[item(1, **{**PHOTO, **fields})],
                    call_to_action={"text": HOSTILE, "button": "<script>x</script>", "url": "https://example.org/give"})
    for html in (both(settings, content, brand)[0],
                 both(settings, article("Body.", dateline=HOSTILE, byline=HOSTILE), brand)[0]):
        parsed = Links(html)
        assert "script" not in parsed.tags and parsed.tags.count("img") <= 2  # the logo and the photo
        assert "&lt;script&gt;" in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")


@pytest.mark.parametrize("body", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](  javascript:alert(1))", "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)", '<a href="javascript:alert(1)">x</a>', HOSTILE,
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](vbscript:msgbox)", "![x](javascript:alert(1))",
    "<iframe src=https://evil.example></iframe>", "[x](https://example.org/\"onmouseover=\"alert(1))",
])
def test_markdown_cannot_inject_markup_or_script_links(body):
    rendered = render_article(f"Text before.\n\n{body}\n\nText after.")
    parsed = Links(str(rendered.html))
    assert set(parsed.tags) <= {"p", "a"}
    assert all(href.startswith(("https://", "http://", "mailto:", "#fn")) for href in parsed.hrefs), parsed.hrefs
    assert "onmouseover=" not in str(rendered.html).replace("onmouseover=&quot;", "").replace('%22onmouseover=%22', "")


def test_markdown_keeps_emphasis_quotes_headings_and_safe_links():
    rendered = render_article("# Top\n\n**Bold** and *it*, [a](https://example.org/a), [m](mailto:press@example.org)."
                              "\n\n> Quoted.\n\n### Sub")
    parsed = Links(str(rendered.html))
    assert parsed.tags == ["h2", "p", "strong", "em", "a", "a", "blockquote", "p", "h3"]
    assert parsed.hrefs == ["https://example.org/a", "mailto:press@example.org"]
    assert rendered.text.startswith("Top\n---\n\nBold and it, a (https://example.org/a), m (press@example.org).")
    assert "> Quoted." in rendered.text
    assert render_article("Steps:\n\n- one\n- two\n\n1. first\n2. second").text == (
        "Steps:\n\n- one\n- two\n\n1. first\n2. second")


def test_footnotes_are_numbered_endnotes_linked_both_ways_in_html_and_listed_in_text():
    rendered = render_article("The army denied it[^army] and the court agreed[^2].\n\n"
                              "[^army]: A statement of 3 May.\n[^2]: Ruling of 9 May, [online](https://example.org/r).")
    html = str(rendered.html)
    for n in (1, 2):
        assert f'href="#fn{n}" id="fnref{n}"' in html and f'id="fn{n}"' in html and f'href="#fnref{n}"' in html
    assert html.index('id="fnref2"') < html.index('id="fn1"')  # notes last, in order
    assert "denied it[1] and the court agreed[2]." in rendered.text
    assert rendered.text.endswith("Notes\n-----\n\n[1] A statement of 3 May.\n"
                                  "[2] Ruling of 9 May, online (https://example.org/r).")


def test_an_article_issue_renders_its_dateline_byline_body_and_call_to_action_in_both_parts(settings):
    content = article("Police detained three reporters[^1].\n\n[^1]: On 30 November.", call_to_action=CTA)
    html, text = both(settings, content)
    assert html.index("By Benedict Rogers") < html.index("Seoul, 3 December 2026") < html.index("Police detained")
    assert html.index('id="fn1"') < html.index(">Donate</a>")
    assert "Headline" not in html and "Read more" not in html
    assert text.index("By Benedict Rogers") < text.index("SEOUL, 3 DECEMBER 2026") < text.index("[1] On 30 November.")
    assert text.index("[1] On 30 November.") < text.index("Donate: https://example.org/give")


def test_branding_colours_logo_footer_and_social_links_are_used(settings):
    brand = Branding(organisation_name="Rights Org", postal_address="1 Road, Town", primary_colour="#0B3D2E",
                     accent_colour="#6A1B9A", logo_url="https://example.org/logo.png", logo_alt="Rights Org logo",
                     footer_text="We take no government money.",
                     social_links=[{"label": "Mastodon", "url": "https://m.example/@r"}])
    html, text = both(settings, issue(2, call_to_action=CTA), brand)
    assert "background-color:#0b3d2e" in html.replace(" ", "") and "#6a1b9a" in html
    assert 'alt="Rights Org logo"' in html and "#1d3557" not in html
    assert '<meta name="color-scheme" content="light dark">' in html and "prefers-color-scheme: dark" in html
    assert "We take no government money.\n\nMastodon: https://m.example/@r\n\nRights Org, 1 Road, Town" in text


def test_a_full_issue_of_fifteen_items_with_every_shape_stays_well_under_gmails_clipping_size(settings):
    items = [item(n, kicker="Region", byline="A. Writer", featured=n <= 2, blurb="Words of the blurb. " * 25, **PHOTO)
             for n in range(1, 16)]
    brand = Branding(organisation_name="Rights Org", postal_address="1 Road", logo_url="https://example.org/l.png",
                     logo_alt="Rights Org", footer_text="Footer.", social_links=[{"label": "M", "url": "https://m.example"}])
    content = in_sections([{"title": f"Section {s}", "items": items[s * 5:(s + 1) * 5]} for s in range(3)],
                          call_to_action={**CTA, "position": "after_section", "section": 2})
    html, _ = both(settings, content, brand)
    assert len(html.encode()) < SIZE_WARNING_BYTES
    long_read = "\n\n".join(f"Paragraph {n} of the statement, with a note[^{n}]." for n in range(1, 41))
    notes = "\n".join(f"[^{n}]: Source {n}, [online](https://example.org/{n})." for n in range(1, 41))
    html, _ = both(settings, article(f"{long_read}\n\n{notes}"), brand)
    assert len(html.encode()) < SIZE_WARNING_BYTES
