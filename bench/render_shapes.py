"""Benchmark of rendering the content shapes: a 15-item issue plain and with every shape
(kicker, byline, caption and credit on each item, two featured, a call to action, the full
branding), and a single-article issue of 40 paragraphs and 40 endnotes; each HTML part's size
against Gmail's clipping limit.

Run: .venv/bin/python bench/render_shapes.py
Prints a Markdown table; docs/benchmarks.md keeps the figures measured on the team's machine.
"""

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.render_and_send import timed  # noqa: E402
from newsletter.config import Settings  # noqa: E402
from newsletter.content import IssueContent  # noqa: E402
from newsletter.content.branding import Branding  # noqa: E402
from newsletter.editorial.preflight import GMAIL_CLIP_BYTES  # noqa: E402
from newsletter.rendering import render_issue  # noqa: E402
from newsletter.rendering.article import render_article  # noqa: E402

REPEAT = 40
BLURB = ("A United Nations review of a state's human rights record, summarised by an editor in two or "
         "three sentences with the facts a reader needs. ") * 2
SHAPES = {"kicker": "North Korea", "byline": "Benedict Rogers", "image": "https://example.org/photo.jpg",
          "image_alt": "A guard at the embassy gate", "image_caption": "A guard at the embassy gate in Seoul.",
          "image_credit": "© 2016 Reuters"}
BRANDING = Branding(organisation_name="Example Rights Watch", postal_address="1 Example Street, London",
                    logo_url="https://example.org/logo.png", logo_alt="Example Rights Watch",
                    footer_text="We take no money from any government.",
                    social_links=[{"label": name, "url": f"https://{name.lower()}.example/@erw"}
                                  for name in ("Mastodon", "Bluesky", "YouTube")])


def brief(shaped: bool) -> IssueContent:
    """A 15-item issue in three sections, an image on each item; ``shaped``: every shape on every
    item, and a call to action."""
    items = [{"headline": f"Headline {n}: how states game the review system", "blurb": BLURB,
              "url": f"https://example.org/news/{n}", "source": "The Diplomat",
              "image": SHAPES["image"], "image_alt": SHAPES["image_alt"],
              **({**SHAPES, "featured": n < 2} if shaped else {})} for n in range(15)]
    return IssueContent.model_validate({
        "title": "The Weekly Brief", "date": dt.date(2026, 11, 27), "intro": "Just a quick update.",
        "sections": [{"title": title, "items": items[s * 5:(s + 1) * 5]}
                     for s, title in enumerate(("Asia", "Europe", "Americas"))],
        **({"call_to_action": {"text": "Your tax deductible gift can help stop human rights violations.",
                               "button": "Donate", "url": "https://example.org/give", "position": "after_section",
                               "section": 1}} if shaped else {}),
    })


def article() -> IssueContent:
    """A statement of 40 paragraphs, each with a footnote, some quoted, under sub-headings."""
    paragraphs = [f"{'> ' if n % 7 == 0 else ''}Paragraph {n} of the statement, with **emphasis**, "
                  f"[a link](https://example.org/{n}) and a source[^{n}]." for n in range(1, 41)]
    body = "\n\n".join(("## Background\n\n" if n % 10 == 0 else "") + p for n, p in enumerate(paragraphs))
    notes = "\n".join(f"[^{n}]: Source {n}, [online](https://example.org/source/{n})." for n in range(1, 41))
    return IssueContent.model_validate({
        "title": "Release the detained journalists", "date": dt.date(2026, 12, 3), "format": "article",
        "dateline": "SEOUL, 3 December 2026", "byline": "Benedict Rogers", "body": f"{body}\n\n{notes}",
    })


def main() -> None:
    settings = Settings(_env_file=None)
    cases = [("15 items with images, no shapes (settings' branding)", brief(False), None),
             ("15 items, every shape, CTA, full branding", brief(True), BRANDING),
             ("one article, 40 paragraphs and endnotes", article(), BRANDING)]
    wall: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _, content, branding in cases:
        render_issue(content, settings, branding=branding)  # warm the template and CSS caches
    for _ in range(REPEAT):  # interleaved, so a busy moment of the machine weighs on every case alike
        for name, content, branding in cases:
            started = time.process_time()
            wall[name] += timed(lambda: render_issue(content, settings, branding=branding), 1)
            cpu[name].append(time.process_time() - started)
    print("| rendering (Jinja2 + MJML + premailer, both parts) | wall, median | wall, p95 | CPU, median "
          "| HTML part | of Gmail's 102 KB |")
    print("|---|---|---|---|---|---|")
    for name, content, branding in cases:
        times = sorted(wall[name])
        size = len(render_issue(content, settings, branding=branding).html.source.encode())
        print(f"| {name} | {statistics.median(times) * 1000:.1f} ms | {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms"
              f" | {statistics.median(cpu[name]) * 1000:.1f} ms | {size / 1000:.1f} KB | {size / GMAIL_CLIP_BYTES:.0%} |")
    body = article().body
    started = time.process_time()
    markdown = sorted(timed(lambda: render_article(body), 100))
    print(f"| Markdown alone (markdown-it + footnotes + nh3), the article's body | "
          f"{statistics.median(markdown) * 1000:.2f} ms | {markdown[94] * 1000:.2f} ms | "
          f"{(time.process_time() - started) * 10:.2f} ms (mean) | | |")


if __name__ == "__main__":
    main()
