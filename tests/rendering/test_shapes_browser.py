"""The content shapes and the organisation's look in a real headless Chromium: the call to action
is a button at phone and desktop widths, with images blocked too; the dark palette applies when
the reader's system is dark. NEWSLETTER_SCREENSHOTS=docs/screenshots keeps the screenshots."""

import base64
import os
import struct
import zlib
from pathlib import Path

import pytest

from newsletter.content.branding import Branding, contrast_ratio
from newsletter.rendering import render_issue
from newsletter.rendering.preview import preview
from newsletter.web.pages import Pages
from tests.factories import item
from tests.rendering.test_shapes import article, in_sections
from tests.web.test_browser import browser  # noqa: F401 (the module's Chromium, a fixture)

BRAND = Branding(organisation_name="Example Rights Watch", postal_address="1 Example Street, London",
                 logo_url="https://example.org/logo.png", logo_alt="Example Rights Watch",
                 footer_text="We take no money from governments.",
                 social_links=[{"label": "Mastodon", "url": "https://mastodon.example/@erw"}])
ARTICLE = """Authorities must release the three journalists detained on Monday[^1] and drop the charges.

## What happened

Police stopped the reporters at the border. "We were only doing our job," one *told us*.

> Reporting is not a crime.

Read [the full report](https://example.org/report).

[^1]: Detained on 30 November 2026 at the Tumen crossing.
"""


def _png(width: int, height: int, rgb: tuple[int, int, int], *, transparent: bool = False) -> bytes:
    """A plain PNG of one colour, fading to white downwards (the photo and logo the pages load);
    ``transparent``: eight rising bars of that colour on a transparent ground (a chart)."""
    if transparent:
        slot = width // 8
        bar = lambda x, y: x % slot >= slot // 4 and y >= height - (x // slot + 1) * height // 9
        rows = b"".join(b"\x00" + b"".join(bytes(rgb) + (b"\xff" if bar(x, y) else b"\x00") for x in range(width))
                        for y in range(height))
    else:
        rows = b"".join(b"\x00" + bytes(int(c + (255 - c) * y / height) for c in rgb) * width for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if transparent else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _open(browser, html: str, *, width: int, dark: bool = False, images: bool = True):
    """A page showing ``html`` at ``width``; its images come from here, never the network
    (or are blocked, as many mail apps block them)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light")
    page = context.new_page()
    pictures = {"logo": _png(180, 48, (29, 53, 87)), "chart": _png(544, 150, (29, 53, 87), transparent=True)}
    photo = _png(600, 320, (40, 90, 120))
    page.route("**/*", lambda route: route.abort() if not images or route.request.resource_type != "image"
               else route.fulfill(body=next((png for name, png in pictures.items() if name in route.request.url), photo),
                                  content_type="image/png"))
    page.set_content(html, wait_until="load")
    return context, page


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("NEWSLETTER_SCREENSHOTS", tmp_path))
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def _email(settings, content) -> str:
    return preview(render_issue(content, settings, branding=BRAND), settings, content.slug)[0]


def _brief(*, chart: bool = False, **overrides):
    """Two sections of items with every shape, a call to action between them; ``chart``: the
    second item shows a transparent chart (dark bars on no background)."""
    photo = {"image": "https://example.org/photo.png", "image_alt": "The embassy gate",
             "image_caption": "A guard at the embassy gate.", "image_credit": "© 2016 Reuters"}
    chart = {"image": "https://example.org/chart.png", "image_alt": "Arrests by month, rising"} if chart else {}
    return in_sections([
        {"title": "Asia", "items": [item(1, kicker="North Korea", byline="Benedict Rogers", featured=True, **photo),
                                    item(2, kicker="Myanmar", byline="Ana Ruiz", **chart)]},
        {"title": "Europe", "items": [item(3, kicker="Belarus")]},
    ], call_to_action={"text": "Your tax deductible gift can help stop human rights violations.",
                       "button": "Donate now", "url": "https://example.org/give", "position": "after_section",
                       "section": 1}, **overrides)


@pytest.mark.parametrize("width", [375, 600])
def test_the_call_to_action_is_a_real_button_with_images_blocked(browser, settings, tmp_path, width):
    context, page = _open(browser, _email(settings, _brief()), width=width, images=False)
    button = page.get_by_role("link", name="Donate now")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert button.get_attribute("href") == "https://example.org/give"
    cell = button.evaluate("a => getComputedStyle(a).backgroundColor")
    assert cell == "rgb(138, 28, 28)"  # the accent colour, drawn by CSS: no image to block
    # It sits between the sections: after Asia's last item and before Europe's title.
    tops = [page.get_by_text(text, exact=True).first.bounding_box()["y"]
            for text in ("Headline number 2", "Donate now", "Europe")]
    assert tops == sorted(tops)
    context.close()
    context, page = _open(browser, _email(settings, _brief()), width=width)
    _shot(page, tmp_path, f"email-cta-{width}")
    context.close()


def _colour_at(page, png: bytes, x: int, y: int) -> str:
    """The colour (``#rrggbb``) of a screenshot's pixel at (``x``, ``y``), read through a canvas."""
    return page.evaluate("""async ([data, x, y]) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + data;
        await img.decode();
        const canvas = Object.assign(document.createElement('canvas'), {width: img.width, height: img.height});
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return '#' + [...context.getImageData(x, y, 1, 1).data.slice(0, 3)].map((n) => n.toString(16).padStart(2, '0')).join('');
    }""", [base64.b64encode(png).decode(), x, y])


def test_dark_mode_darkens_the_sheet_and_keeps_text_legible(browser, settings, tmp_path):
    html = _email(settings, _brief(chart=True))
    context, page = _open(browser, html, width=600, dark=True)
    colours = page.evaluate("""() => {
        const rgb = (s) => '#' + s.match(/\\d+/g).slice(0, 3).map((n) => (+n).toString(16).padStart(2, '0')).join('');
        const sheet = document.querySelector('.sheet');
        const blurb = document.querySelector('.headline p:not([class])');
        return {sheet: rgb(getComputedStyle(sheet).backgroundColor), text: rgb(getComputedStyle(blurb).color),
                link: rgb(getComputedStyle(document.querySelector('.read-more a')).color),
                logo: rgb(getComputedStyle(document.querySelector('.logo')).backgroundColor)};
    }""")
    assert colours["sheet"] == "#1e1e1e"
    assert contrast_ratio(colours["text"], colours["sheet"]) >= 7 and contrast_ratio(colours["link"], colours["sheet"]) >= 4.5
    assert colours["logo"] == "#ffffff"  # a transparent logo's dark text never lands on a dark background
    # Nor does a transparent item image's: its empty ground shows light behind its dark bars.
    chart = page.get_by_role("img", name="Arrests by month, rising").screenshot()
    assert _colour_at(page, chart, 10, 10) == "#ffffff"
    assert contrast_ratio(_colour_at(page, chart, 520, 140), "#ffffff") >= 4.5  # in the last bar
    _shot(page, tmp_path, "email-dark")
    context.close()
    light, page = _open(browser, html, width=600)
    assert page.evaluate("getComputedStyle(document.querySelector('.sheet')).backgroundColor") == "rgb(255, 255, 255)"
    # Outlook.com darkens by itself and marks the darkened elements with data-ogsb: the image keeps its backdrop.
    backdrop = "getComputedStyle(document.querySelector('.item-image img')).backgroundColor"
    assert page.evaluate(backdrop) == "rgba(0, 0, 0, 0)"
    page.evaluate("document.body.setAttribute('data-ogsb', '#f4f1ec')")
    assert page.evaluate(backdrop) == "rgb(255, 255, 255)"
    light.close()


def test_the_archive_page_keeps_a_light_backdrop_behind_an_image_in_dark_mode(browser, settings):
    shapes = Pages(settings).env.get_template("web/_shapes.html.j2").module
    chart = {"image": "https://example.org/chart.png", "image_alt": "Arrests by month, rising",
             "image_caption": None, "image_credit": None}
    html = f"<!doctype html><html><head>{shapes.styles(BRAND)}</head><body><main>{shapes.image(chart)}</main></body></html>"
    context, page = _open(browser, html, width=600, dark=True)
    assert page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor") == "rgb(30, 30, 30)"
    picture = page.get_by_role("img", name="Arrests by month, rising").screenshot()
    assert _colour_at(page, picture, 10, 10) == "#ffffff"  # its transparent ground shows white, not the dark page
    context.close()


def test_a_single_article_issue_with_endnotes(browser, settings, tmp_path):
    content = article(ARTICLE, call_to_action={"text": "Stand with them.", "button": "Sign the appeal",
                                               "url": "https://example.org/appeal"})
    context, page = _open(browser, _email(settings, content), width=600)
    page.get_by_role("link", name="[1]").click()
    assert page.evaluate("location.hash") == "#fn1"
    page.get_by_role("link", name="Back to reference 1").click()
    assert page.evaluate("location.hash") == "#fnref1"
    _shot(page, tmp_path, "email-article")
    context.close()
