"""Benchmark of the render-once, personalise-cheaply path.

Run: .venv/bin/python bench/render_and_send.py [--recipients N]
Prints a Markdown table; docs/benchmarks.md keeps the figures measured on the team's machine.
"""

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import literal, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsletter.config import Settings  # noqa: E402
from newsletter.content import IssueContent  # noqa: E402
from newsletter.db import transaction, upgrade_database  # noqa: E402
from newsletter.db.models import Subscriber, Subscription  # noqa: E402
from newsletter.editorial import save_issue  # noqa: E402
from newsletter.providers import FileProvider, OutgoingBatch, Recipient  # noqa: E402
from newsletter.providers.mime import MimeBuilder  # noqa: E402
from newsletter.rendering import render_issue  # noqa: E402
from newsletter.sending import create_send, freeze_send, send_batch  # noqa: E402
from newsletter.subscribers import create_list  # noqa: E402


def sample_issue(items: int) -> IssueContent:
    blurb = ("A United Nations review of a state's human rights record, summarised by an editor "
             "in two or three sentences with the facts a reader needs. ") * 2
    return IssueContent.model_validate({
        "title": "The Weekly Brief", "date": dt.date(2026, 11, 27), "intro": "Just a quick update.",
        "items": [{"headline": f"Headline {n}: how states game the review system", "blurb": blurb,
                   "url": f"https://example.org/news/{n}", "source": "The Diplomat"} for n in range(items)],
    })


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def recipients(n: int) -> list[Recipient]:
    out = []
    for i in range(n):
        url = f"https://news.example.org/unsubscribe/WzEyMzQ1LDFd.token{i}"
        out.append(Recipient(i, f"reader{i}@example.org", f"Reader {i}", f"<1.{i}.x@example.org>", url,
                             {"name": f"Reader {i}", "email": f"reader{i}@example.org", "unsubscribe_url": url,
                              "web_url": "https://news.example.org/archive/x"}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipients", type=int, default=10_000, help="size of the end-to-end send")
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    content = sample_issue(10)
    render_issue(content, settings)  # warm the template cache
    renders = timed(lambda: render_issue(content, settings), 30)
    rendered = render_issue(content, settings)
    html_bytes = len(rendered.html.source.encode())

    people = recipients(5000)
    fills = timed(lambda: [(rendered.html.fill(r.fields), rendered.text.fill(r.fields)) for r in people], 5)
    batch = OutgoingBatch(1, 1, rendered.subject, "brief@example.org", "The Weekly Brief", None, None,
                          rendered.html, rendered.text, people)
    builder = MimeBuilder(batch)
    builds = timed(lambda: [builder.build(r) for r in people], 5)

    def stdlib(r: Recipient) -> bytes:
        message = EmailMessage()
        message["From"], message["To"] = "The Weekly Brief <brief@example.org>", f"{r.name} <{r.email}>"
        message["Subject"], message["Message-ID"] = rendered.subject, r.message_id
        message["List-Unsubscribe"] = f"<{r.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(rendered.text.fill(r.fields))
        message.add_alternative(rendered.html.fill(r.fields), subtype="html")
        return message.as_bytes(policy=policy.SMTP)

    stdlib_builds = timed(lambda: [stdlib(r) for r in people[:500]], 3)

    with tempfile.TemporaryDirectory() as tmp:
        provider = FileProvider(Path(tmp))
        files = timed(lambda: provider.send_batch(batch), 3)
        end_to_end = send_end_to_end(Path(tmp), args.recipients)

    per = lambda samples, n: statistics.median(samples) / n  # noqa: E731
    rows = [
        ("render a 10-item issue (Jinja2 + MJML + premailer), median", f"{statistics.median(renders) * 1e3:.1f} ms"),
        ("rendered HTML size", f"{html_bytes / 1024:.1f} KiB"),
        ("personalise HTML + text per recipient", f"{per(fills, len(people)) * 1e6:.1f} µs"),
        ("build a MIME message (MimeBuilder)", f"{per(builds, len(people)) * 1e6:.1f} µs ({1 / per(builds, len(people)):,.0f} msg/s)"),
        ("build a MIME message (stdlib EmailMessage)", f"{per(stdlib_builds, 500) * 1e6:.0f} µs ({1 / per(stdlib_builds, 500):,.0f} msg/s)"),
        (".eml production by the file provider (build + write)", f"{1 / per(files, len(people)):,.0f} msg/s"),
        (f"send {args.recipients:,} recipients end to end (SQLite, file outbox, one process)",
         f"{end_to_end:.1f} s ({args.recipients / end_to_end:,.0f} msg/s)"),
    ]
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def send_end_to_end(folder: Path, count: int) -> float:
    """Freeze and send ``count`` recipients through the real functions; wall seconds."""
    url = f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(_env_file=None, database_url=url, outbox_dir=folder / "outbox")
    upgrade_database(url)
    with transaction(url) as session:
        list_id = create_list(session=session, name="weekly").id
        session.execute(Subscriber.__table__.insert(), [
            {"email": f"reader{i}@example.org", "name": f"Reader {i}", "status": "active", "attributes": {}}
            for i in range(count)])
        session.execute(Subscription.__table__.insert().from_select(
            ["list_id", "subscriber_id", "status"],
            select(literal(list_id), Subscriber.id, literal("confirmed"))))
        issue_id = save_issue(session=session, content=sample_issue(10)).id
    start = time.perf_counter()
    with transaction(url) as session:
        send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id
    batch_ids: list[int] = []
    freeze_send(settings=settings, send_id=send_id, on_batches=batch_ids.extend)
    provider = FileProvider(settings.outbox_dir)
    for batch_id in batch_ids:
        send_batch(settings=settings, provider=provider, batch_id=batch_id)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
