"""Benchmark of intake: polling many feeds served locally, and parsing and deduplicating
many entries.

Run: .venv/bin/python bench/intake_feeds.py [--feeds 200] [--entries 20] [--delays 0,0.1] [--parse 10000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch]
Prints Markdown tables. The feeds are served by a separate process (tests/fakes/web_pages.py,
answering after each delay), so the CPU time measured is the poller's alone. The database is
a scratch SQLite file, or the --database-url given: a scratch database, whose items and feeds
are deleted before each round. docs/benchmarks.md keeps the figures.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select  # noqa: E402

from newsletter.config import Settings  # noqa: E402
from newsletter.db import transaction, upgrade_database  # noqa: E402
from newsletter.db.models import FeedSource, Item  # noqa: E402
from newsletter.intake.feeds import FeedDefaults, parse_feed  # noqa: E402
from newsletter.intake.inbox import known_stories, save_proposal  # noqa: E402
from newsletter.intake.polling import poll_due_feeds  # noqa: E402
from newsletter.intake.sources import FeedDraft, add_feed  # noqa: E402


def rss(feed: int, entries: int, host: str = "news.example") -> str:
    """A feed of ``entries`` stories, each with a summary and an image, like a news site's."""
    items = "".join(
        f"<item><title>Story {n} of feed {feed}: a headline of a usual length</title>"
        f"<link>https://{host}/{feed}/{n}?utm_source=rss</link><guid>{feed}-{n}</guid>"
        f"<description>&lt;p&gt;The first sentence of story {n} says what happened. The second says why it "
        f"matters to readers of a rights brief. A third adds the context.&lt;/p&gt;</description>"
        f"<pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate>"
        f'<enclosure url="https://{host}/img/{n}.jpg" type="image/jpeg" length="1"/></item>'
        for n in range(entries))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>{items}</channel></rss>'


def serve(feeds: int, entries: int, delay: float) -> None:
    """The feed server (a child process): prints its port, serves until stdin closes."""
    from tests.fakes.web_pages import PageServer

    with PageServer() as server:
        for feed in range(feeds):
            server.add(f"/feed/{feed}.xml", rss(feed, entries), content_type="application/rss+xml",
                       etag=f'"{feed}"', delay=delay)
        print(server.port, flush=True)
        sys.stdin.read()


def scratch(url: str) -> str:
    """``url``, migrated and without items or feeds."""
    upgrade_database(url)
    with transaction(url) as session:
        session.execute(delete(Item))
        session.execute(delete(FeedSource))
    return url


def poll_round(feeds: int, entries: int, delay: float, database_url: str) -> list[str]:
    """Serve ``feeds`` feeds, add them, poll them all, then poll again (all 304)."""
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(feeds), str(entries), str(delay)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(child.stdout.readline())
    settings = Settings(_env_file=None, database_url=scratch(database_url), fetch_allow_private=True)
    with transaction(settings.database_url) as session:
        for feed in range(feeds):
            add_feed(session=session, draft=FeedDraft(url=f"http://127.0.0.1:{port}/feed/{feed}.xml",
                                                      name=f"Feed {feed}"))
    rows = []
    for label in ("first poll", "second poll (304s)"):
        wall, cpu = time.perf_counter(), time.process_time()
        outcomes = poll_due_feeds(settings=settings, every=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        added = sum(o.added for o in outcomes)
        failed = sum(bool(o.error) for o in outcomes)
        rows.append(f"| {delay * 1000:.0f} ms | {label} | {len(outcomes)} | {added} | {failed} | {wall:.2f} s | "
                    f"{cpu:.2f} s | {cpu / wall:.0%} |")
    child.stdin.close()
    child.wait(timeout=10)
    return rows


def parse_and_dedupe(count: int, url: str) -> list[str]:
    """Parse ``count`` entries (50 feeds), then deduplicate them against a database that holds
    half of them already, and save the other half."""
    feeds = 50
    bodies = [rss(feed, count // feeds).encode() for feed in range(feeds)]
    wall, cpu = time.perf_counter(), time.process_time()
    proposals = [p for body in bodies for p in parse_feed(body, url="https://news.example/feed",
                                                          content_type="application/rss+xml",
                                                          defaults=FeedDefaults(), blurb_chars=320)]
    parse, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
    with transaction(scratch(url)) as session:
        for p in proposals[::2]:
            session.add(Item(url=p.url, headline=p.headline, blurb=p.blurb, canonical_url=p.canonical_url, tags=[]))
    wall = time.perf_counter()
    with transaction(url) as session:
        known = known_stories(session=session, canonical_urls=[p.canonical_url for p in proposals])
    dedupe = time.perf_counter() - wall
    wall, cpu = time.perf_counter(), time.process_time()
    with transaction(url) as session:
        for p in proposals:
            if p.canonical_url not in known:
                save_proposal(session=session, proposal=p)
    save, save_cpu = time.perf_counter() - wall, time.process_time() - cpu
    with transaction(url) as session:
        total = session.scalar(select(func.count()).select_from(Item))
    new = len(proposals) - len(known)
    return [f"| parse {len(proposals):,} entries (50 RSS feeds) | {parse:.2f} s | {parse_cpu:.2f} s | "
            f"{len(proposals) / parse_cpu:,.0f} entries/s of CPU |",
            f"| find the {len(known):,} already stored (canonical URL) | {dedupe:.3f} s | | |",
            f"| save the {new:,} new ones as items | {save:.2f} s | {save_cpu:.2f} s | {new / save_cpu:,.0f} items/s of CPU |",
            f"| items in the end (each story once) | {total:,} | | |"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--delays", default="0,0.1", help="seconds each answer waits, comma-separated")
    parser.add_argument("--parse", type=int, default=10_000)
    parser.add_argument("--database-url", help="a scratch database (its items and feeds are deleted); "
                                               "default: SQLite files in a temporary folder")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), int(args.serve[1]), float(args.serve[2]))
        return
    with tempfile.TemporaryDirectory() as folder:
        print("| server delay | round | feeds | new items | failed | wall clock | poller CPU | CPU / wall |")
        print("|---|---|---|---|---|---|---|---|")
        for delay in (float(d) for d in args.delays.split(",")):
            url = args.database_url or f"sqlite:///{Path(folder) / f'poll-{delay}.db'}"
            print("\n".join(poll_round(args.feeds, args.entries, delay, url)), flush=True)
        print("\n| step | wall clock | CPU | rate |\n|---|---|---|---|")
        print("\n".join(parse_and_dedupe(args.parse, args.database_url or f"sqlite:///{Path(folder) / 'dedupe.db'}")))


if __name__ == "__main__":
    main()
