"""Benchmark of personalisation with click tracking on and off: what each recipient costs.

An issue is rendered once with plain links and once with tracked links (every item link a
``/c/<send>/<link>/__NL_CLICK_TOKEN__`` address, as create_send makes them); then, per recipient,
the reader's token is made and both parts are filled, and the whole message is built as the
SMTP and file providers build it. Two more rows: the tracked issue with the open image (one
more token slot), and a batch whose readers alternate between that version and the plain one
of a reader who turned tracking off (sending/variants.py, each version prepared once a batch);
and what preparing those versions costs a batch of 1,000.

Run: .venv/bin/python bench/personalise_clicks.py [--items 8] [--recipients 20000]
Prints a Markdown table (best of 7 runs, microseconds per recipient: the machine's other
work only ever adds). The goal in the issue:
filling a recipient's message stays at 20 µs or less with tracking on.
"""

import argparse
import html
from dataclasses import replace
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_and_send import sample_issue

from newsletter.config import Settings
from newsletter.providers import OutgoingBatch, Recipient
from newsletter.providers.mime import MimeBuilder
from newsletter.rendering import render_issue
from newsletter.rendering.personalise import MARKERS, PersonalisableTemplate
from newsletter.sending.message_tokens import click_key, click_token
from newsletter.sending.variants import ReaderVersions

SEND_ID = 1234


def fields(n: int, tracked: bool) -> dict[str, str]:
    values = {"name": f"Reader {n}", "email": f"reader{n}@example.org",
              "unsubscribe_url": f"https://news.example.org/unsubscribe/{n}.4.Zm9vYmFyYmF6cXV4",
              "web_url": "https://news.example.org/archive/2026-11-27-the-weekly-brief"}
    if tracked:
        values["click_token"] = click_token(click_key("bench"), SEND_ID, 1_000_000 + n)
    return values


def fill_per_slot(template: PersonalisableTemplate, values: dict[str, str]) -> str:
    """fill() as it was before tracked links: every slot escaped on its own."""
    out = list(template.pieces)
    for index, name in template.slots:
        out[index] = html.escape(values[name], quote=True) if template.escape_html else values[name]
    return "".join(out)


def per_recipient(work, count: int) -> float:
    """The best of 7 runs of ``work(n)`` for n in range(count), in microseconds per call."""
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        for n in range(count):
            work(n)
        runs.append((time.perf_counter() - started) / count * 1e6)
    return min(runs)


def measure(rendered, people: list[dict[str, str]], count: int,
            variants: tuple = ()) -> tuple[int, float, float, float]:
    """(slots, fill() of both parts, the same escaping every slot, the whole MIME message) per
    recipient; with ``variants``, odd recipients get the first of them (their own version)."""
    slots = len(rendered.html.slots) + len(rendered.text.slots)
    fill = per_recipient(lambda n: (rendered.html.fill(people[n]), rendered.text.fill(people[n])), count)
    old = per_recipient(lambda n: (fill_per_slot(rendered.html, people[n]), fill_per_slot(rendered.text, people[n])),
                        count)
    recipients = [Recipient(n, p["email"], p["name"], f"<1.{n}.x@example.org>", p["unsubscribe_url"], p,
                            variant=n % 2 if variants else 0) for n, p in enumerate(people)]
    builder = MimeBuilder(OutgoingBatch(1, 1, rendered.subject, "brief@example.org", "The Weekly Brief", None, None,
                                        rendered.html, rendered.text, recipients, variants))
    mime = per_recipient(lambda n: builder.build(recipients[n]), count)
    return slots, fill, old, mime


def versions_of(tracked, settings: Settings, links: dict[str, str]) -> ReaderVersions:
    """The versions a batch of the tracked issue prepares: with the open image, and plain."""
    table = {n: url for n, url in enumerate(links, start=1)}
    return ReaderVersions(tracked.html.source, tracked.text.source, SEND_ID, settings.base_url, table, True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--recipients", type=int, default=20_000)
    args = parser.parse_args()
    settings = Settings(_env_file=None, base_url="https://news.example.org", secret_key="bench")
    content = sample_issue(args.items)
    plain = render_issue(content, settings)
    links = {item.url: f"{settings.base_url}/c/{SEND_ID}/{n}/{MARKERS['click_token']}"
             for n, item in enumerate(content.items, start=1)}
    tracked = render_issue(content, settings, links=links)
    values = {False: [fields(n, False) for n in range(args.recipients)],
              True: [fields(n, True) for n in range(args.recipients)]}
    rows = [(f"tracking {'on' if on else 'off'}", *measure(rendered, values[on], args.recipients))
            for on, rendered in ((False, plain), (True, tracked))]
    versions = versions_of(tracked, settings, links)
    with_image = versions.documents[versions.index(clicks=True, opens=True)]
    opted_out = versions.documents[versions.index(clicks=False, opens=False)]
    image = replace(tracked, html=with_image[0], text=with_image[1])
    rows.append(("clicks and opens tracked (the open image)", *measure(image, values[True], args.recipients)))
    rows.append(("half of them opted out (their own plain version)",
                 *measure(image, values[True], args.recipients, variants=(opted_out,))))
    prepare = min(_timed(lambda: [versions_of(tracked, settings, links).index(clicks=c, opens=o)
                                  for c, o in ((True, True), (False, False))]) for _ in range(7))
    key = click_key("bench")
    token = per_recipient(lambda n: click_token(key, SEND_ID, 1_000_000 + n), args.recipients)
    print(f"| {args.items}-item issue, {args.recipients:,} recipients (best of 7, µs per recipient) | slots "
          "| fill() HTML + text | fill() escaping each slot (before) | whole MIME message |")
    print("|---|---|---|---|---|")
    for name, slots, fill, old, mime in rows:
        print(f"| {name} | {slots} | {fill:.1f} | {old:.1f} | {mime:.1f} |")
    print(f"| making the reader's click token (dispatch `_load`) | | {token:.2f} | | |")
    print(f"| preparing the two other versions, once a batch of 1,000 | | {prepare * 1e6 / 1000:.2f} | | |")


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
