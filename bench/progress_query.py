"""Benchmark of the dashboard's progress query on a million-recipient send (PostgreSQL).

Before migration 0008 progress counted a send's deliveries by status (a GROUP BY over every
delivery row, every two seconds per open dashboard); now it sums the batches' counters (a
thousand rows). Both queries run here against the same data, interleaved.

Run: .venv/bin/python bench/progress_query.py [--recipients 1000000] [--repeat 20]
Uses a scratch database `bench_progress`, dropped and created again. Prints a Markdown table.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from scratch import fresh_database

DATABASE = "bench_progress"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from newsletter.db import transaction, upgrade_database
    from newsletter.db.models import Delivery
    from newsletter.sending import send_progress

    url = fresh_database(DATABASE)
    upgrade_database(url)
    n, batches = args.recipients, (args.recipients + 999) // 1000
    with transaction(url) as session:  # a send three quarters done: accepted, a few failed, the rest pending
        session.execute(text(
            "INSERT INTO issues (id, slug, title, date, language, status, version, updated_at) "
            "VALUES (1, 's', 'T', CURRENT_DATE, 'en', 'sent', 1, now())"))
        session.execute(text(
            "INSERT INTO sends (id, issue_id, status, subject, html_template, text_template, list_names, "
            "recipient_count, started_at, frozen_at) VALUES (1, 1, 'sending', 's', '', '', 'weekly', :n, now(), now())"),
            {"n": n})
        session.execute(text(
            "INSERT INTO deliveries (send_id, batch_number, subscriber_id, list_id, email, status) "
            "SELECT 1, (g - 1) / 1000, g, 1, 'p' || g || '@example.org', "
            "CASE WHEN g % 4 = 0 THEN 'pending' WHEN g % 97 = 0 THEN 'failed' ELSE 'accepted' END "
            "FROM generate_series(1, :n) AS g"), {"n": n})
        session.execute(text(
            "INSERT INTO batches (send_id, number, size, status, attempts) "
            "SELECT 1, b, 1000, 'done', 1 FROM generate_series(0, :b - 1) AS b"), {"b": batches})
        session.execute(text(  # what the counters hold after such a send (migration 0008's backfill)
            "UPDATE batches SET accepted = (SELECT count(*) FROM deliveries d WHERE d.send_id = 1 "
            "AND d.batch_number = batches.number AND d.status = 'accepted'), failed = (SELECT count(*) "
            "FROM deliveries d WHERE d.send_id = 1 AND d.batch_number = batches.number AND d.status = 'failed')"))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE deliveries"))
        conn.execute(text("VACUUM ANALYZE batches"))
    before, after = [], []
    for _ in range(args.repeat):
        with transaction(url) as session:
            started = time.perf_counter()
            counted = dict(session.execute(select(Delivery.status, func.count()).where(Delivery.send_id == 1)
                                           .group_by(Delivery.status)).all())
            before.append(time.perf_counter() - started)
            started = time.perf_counter()
            progress = send_progress(session=session, send_id=1)
            after.append(time.perf_counter() - started)
    assert (progress.accepted, progress.failed, progress.pending) == (
        counted["accepted"], counted["failed"], counted["pending"]), (progress, counted)
    print(f"| progress of a {n:,}-recipient send ({args.repeat} runs, median) | ms |")
    print("|---|---|")
    print(f"| counting the deliveries (before 0008) | {statistics.median(before) * 1000:.1f} |")
    print(f"| `send_progress` from batch counters (whole call) | {statistics.median(after) * 1000:.1f} |")


if __name__ == "__main__":
    main()
