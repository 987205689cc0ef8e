"""Benchmark of the send report on a million-recipient send: the report as the newsroom page,
the API and the CLI read it (reports.send_report), timed on PostgreSQL.

Run, in two steps so that the code before kept counts can time the same database:
  .venv/bin/python bench/send_report.py seed [--recipients 1000000]   # at migration 0018
  .venv/bin/python bench/send_report.py time                           # migrates to head first
`seed` makes a scratch database `bench_report` (dropped first) at the last revision before kept
counts, with a sent send to ``--recipients`` people on 20 domains and its events: a delivered
each (1% bounced instead), deferrals, complaints, opens and clicks, ~1.7 events a recipient.
`time` migrates it to head (0019 counts the ledger: timed) and prints the report's median of
five reads. Run `time` with an older checkout's code to time the report before kept counts.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from scratch import ADMIN_URL, fresh_database, seed_sent_send
from sqlalchemy import create_engine, make_url, text

DATABASE = "bench_report"
EVENTS = [  # (kind, bounce, machine, which deliveries: g % modulo == 0)
    ("delivered", None, False, "g % 100 <> 0"),
    ("bounced", "hard", False, "g % 100 = 0"),
    ("deferred", None, False, "g % 20 = 1"),
    ("opened", None, False, "g % 3 = 0"),
    ("opened", None, True, "g % 5 = 0"),
    ("clicked", None, False, "g % 10 = 0"),
    ("complained", None, False, "g % 1000 = 7"),
]


def seed(recipients: int) -> None:
    from alembic import command

    from newsletter.db.schema import alembic_config

    url = fresh_database(DATABASE)
    engine = create_engine(url)
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0018")
    started = time.perf_counter()
    seed_sent_send(url, recipients)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deliveries SET email = 'p' || id || '@d' || (id % 20) || '.example'"))
        connection.execute(text("UPDATE sends SET frozen_at = now(), started_at = now() - interval '2 hours'"))
        for n, (kind, bounce, machine, which) in enumerate(EVENTS):
            connection.execute(text(
                "INSERT INTO delivery_events (provider, event_id, kind, send_id, delivery_id, subscriber_id, email, "
                "bounce, machine, occurred_at, raw) SELECT 'sendgrid', :n || '-' || g, :kind, 1, g, g, "
                f"'p' || g || '@d' || (g % 20) || '.example', :bounce, :machine, now(), '{{}}' "
                f"FROM generate_series(1, :recipients) AS g WHERE {which}"),
                {"n": n, "kind": kind, "bounce": bounce, "machine": machine, "recipients": recipients})
        events = connection.scalar(text("SELECT count(*) FROM delivery_events"))
        connection.execute(text("ANALYZE"))
    print(f"seeded {recipients:,} recipients and {events:,} events in {time.perf_counter() - started:.0f} s")


def time_report() -> None:
    from newsletter.db import transaction, upgrade_database
    from newsletter.reports import queries, send_report

    url = make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)
    counted = hasattr(queries, "outcomes_by_domain")  # code with kept counts: migrate to them
    started = time.perf_counter()
    if counted and upgrade_database(url):
        print(f"migrated to head (0019 counts the ledger) in {time.perf_counter() - started:.1f} s")
    by_domain = queries.outcomes_by_domain if counted else queries.ledger_by_domain  # before: the ledger's

    def fates(session):  # the delivery fates alone: clicks and opens (issue 15) are read apart
        domains, _ = queries.recipients_by_domain(session=session, send_id=1, limit=10)
        return by_domain(session=session, send_id=1, domains=[name for name, _ in domains])

    for name, read in (("delivery fates and domains", fates),
                       ("whole send report", lambda session: send_report(session=session, send_id=1))):
        reads = []
        for _ in range(5):
            started = time.perf_counter()
            with transaction(url) as session:
                read(session)
            reads.append(time.perf_counter() - started)
        print(f"{name}: median {statistics.median(reads) * 1000:.0f} ms, first {reads[0] * 1000:.0f} ms")
    with transaction(url) as session:
        report = send_report(session=session, send_id=1)
    print(f"delivered {report.delivered:,}, bounced {report.bounced_hard:,}, complaints {report.complaints:,}, "
          f"domains {[(d.domain, d.recipients, d.delivered) for d in report.domains[:2]]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["seed", "time"])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.step == "seed":
        seed(args.recipients)
    else:
        time_report()


if __name__ == "__main__":
    main()
