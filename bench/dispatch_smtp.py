"""Benchmark of distributed SMTP dispatch: N confirmed subscribers on PostgreSQL, Redis as
broker, separate `celery worker` processes and beat, and the local relay (tests/fakes/smtp.py,
a minimal asyncio responder, in a thread of this process) answering each message after
--latency seconds, refusing some with 421 and dropping some connections after
taking a message, and, with --kill-at, one worker SIGKILLed when that share is accepted.

Run: .venv/bin/python bench/dispatch_smtp.py [--recipients 5000] [--workers 2] [--latency 0.03]
     [--connections 10] [--refuse-421 0.03] [--drop 0] [--kill-at 0.25]
Needs PostgreSQL and Redis (as bench/dispatch_sendgrid.py). Prints a Markdown table.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
REDIS_URL = os.environ.get("NEWSLETTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
from dispatch_sendgrid import machine_busy, peak_rss_mib, process_cpu  # noqa: E402
from scratch import fresh_database, prepare_send  # noqa: E402

DATABASE = "bench_dispatch_smtp"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=10, help="NEWSLETTER_SMTP_CONNECTIONS")
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--refuse-421", type=float, default=0.0, help="share of messages answered 421")
    parser.add_argument("--drop", type=float, default=0.0, help="share of messages taken, their reply lost")
    parser.add_argument("--kill-at", type=float, default=0.0, help="SIGKILL a worker at this share accepted")
    args = parser.parse_args()

    from tests.fakes.smtp import FakeRelay

    relay = FakeRelay(latency=args.latency, fault_rates={"421": args.refuse_421, "drop": args.drop}, seed=7).start()
    url = fresh_database(DATABASE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")}
    env.update({
        "NEWSLETTER_DATABASE_URL": url, "NEWSLETTER_BROKER_URL": REDIS_URL, "NEWSLETTER_EMAIL_BACKEND": "smtp",
        "NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(relay.port), "NEWSLETTER_SMTP_TLS": "none",
        "NEWSLETTER_SMTP_CONNECTIONS": str(args.connections), "NEWSLETTER_SECRET_KEY": "bench-secret",
        "NEWSLETTER_BASE_URL": "https://news.example.org", "NEWSLETTER_POLL_INTERVAL": "1",
        "NEWSLETTER_BATCH_STUCK_AFTER": "5", "NEWSLETTER_AMBIGUOUS_RESEND_AFTER": "2",
    })
    os.environ.update(env)

    from newsletter.config import get_settings
    from newsletter.db import transaction
    from newsletter.db.models import Delivery, Send
    from newsletter.sending import create_send
    from workers.tasks import queue_send

    issue_id = prepare_send(url, REDIS_URL, args.recipients)
    settings = get_settings()

    logs = Path(tempfile.mkdtemp(prefix="bench-smtp-"))
    celery = str(Path(sys.executable).parent / "celery")
    workers = [
        subprocess.Popen([celery, "-A", "workers", "worker", "--pool", "solo", "--hostname", f"bench{n}@%h",
                          "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                         cwd=REPO, env=env, stdout=(logs / f"worker{n}.log").open("w"), stderr=subprocess.STDOUT)
        for n in range(args.workers)
    ]
    beat = subprocess.Popen([celery, "-A", "workers", "beat", "--schedule", str(logs / "beat-schedule")],
                            cwd=REPO, env=env, stdout=(logs / "beat.log").open("w"), stderr=subprocess.STDOUT)

    def accepted() -> int:
        with transaction(url) as session:
            return session.scalar(select(func.count()).where(Delivery.status == "accepted"))

    killed = False
    try:
        time.sleep(4)  # let the workers connect before the clock starts
        busy_before, workers_before = machine_busy(), [process_cpu(w.pid) for w in workers]
        started = time.perf_counter()
        with transaction(url) as session:
            send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id
        queue_send(settings, send_id)
        while True:
            with transaction(url) as session:
                if session.get(Send, send_id).status == "sent":
                    break
            if args.kill_at and not killed and accepted() >= args.recipients * args.kill_at:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed = True
            time.sleep(0.1)
        finished = time.perf_counter()
        busy_after = machine_busy()
        cpu = [process_cpu(w.pid) - before for w, before in zip(workers, workers_before, strict=True) if w.poll() is None]
        peaks = [peak_rss_mib(w.pid) for w in workers if w.poll() is None]
    finally:
        for process in [*workers, beat]:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        relay.stop()
    total = finished - started
    twice = {d for d, n in relay.taken.items() if n > 1}
    assert accepted() == args.recipients == len(relay.taken), "someone was not accepted"
    print(f"| recipients, relay latency, 421s, lost replies | {args.recipients:,}, {args.latency * 1e3:g} ms, "
          f"{relay.answers['421']:,}, {relay.answers['drop']:,} |")
    print(f"| workers | {args.workers} x {args.connections} connections{', one SIGKILLed' if killed else ''} |")
    print(f"| send to all accepted | {total:.1f} s ({args.recipients / total:,.0f} msg/s) |")
    lost, unread = set(relay.lost_replies), set(relay.unread_replies) - set(relay.lost_replies)
    print(f"| recipients sent twice (of which replies lost; the sender gone before a word after the reply) "
          f"| {len(twice)} ({len(twice & lost)}; {len(twice & unread)}) |")
    if not killed:
        print(f"| worker CPU per message | {sum(cpu) / args.recipients * 1e3:.2f} ms |")
    print(f"| peak RSS per worker | {', '.join(f'{p:.0f} MiB' for p in peaks)} |")
    busy = [after - before for before, after in zip(busy_before, busy_after, strict=True)]
    print(f"| machine CPU busy (all processes, other engineers' included) | {busy[0] / busy[1]:.0%} |")


if __name__ == "__main__":
    main()
