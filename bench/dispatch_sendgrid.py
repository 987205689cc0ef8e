"""Benchmark of distributed dispatch: N confirmed subscribers on PostgreSQL, Redis as broker,
separate `celery worker` processes, the local fake SendGrid (tests/fakes/sendgrid.py).

Run: .venv/bin/python bench/dispatch_sendgrid.py [--recipients 1000000] [--workers 2] [--latency 0.5]
Needs PostgreSQL and Redis (NEWSLETTER_TEST_POSTGRES_URL, NEWSLETTER_TEST_REDIS_URL, defaults
local). Uses a scratch database `bench_dispatch`, dropped and created again. Prints a Markdown
table; docs/benchmarks.md keeps the figures.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
REDIS_URL = os.environ.get("NEWSLETTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
from scratch import fresh_database, prepare_send

DATABASE = "bench_dispatch"


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """A process's peak resident memory (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def wait_for_first_batch(url: str) -> float:
    """The moment (perf_counter) the first batch of the send is done, polled every 10 ms."""
    from newsletter.db import transaction
    from newsletter.db.models import Batch

    while True:
        with transaction(url) as session:
            if session.scalar(select(Batch.id).where(Batch.status == "done").limit(1)) is not None:
                return time.perf_counter()
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", default="", help="celery worker --pool; default: the app's own (SendGrid: "
                        "threads, NEWSLETTER_SENDGRID_CONCURRENCY of them)")
    parser.add_argument("--concurrency", type=int, default=0, help="celery worker --concurrency")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake takes to answer each call")
    args = parser.parse_args()

    from tests.fakes.sendgrid import API_KEY, FakeSendGrid

    fake = FakeSendGrid(fault_rates={f"slow:{args.latency}": 1.0} if args.latency else None).start()
    url = fresh_database(DATABASE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")}
    env.update({
        "NEWSLETTER_DATABASE_URL": url, "NEWSLETTER_BROKER_URL": REDIS_URL, "NEWSLETTER_EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": API_KEY, "NEWSLETTER_SENDGRID_API_URL": fake.url,
        "NEWSLETTER_SECRET_KEY": "bench-secret", "NEWSLETTER_BASE_URL": "https://news.example.org",
        "NEWSLETTER_POLL_INTERVAL": "2",
    })
    os.environ.update(env)  # this process publishes to the same broker the workers consume

    from newsletter.config import get_settings
    from newsletter.db import transaction
    from newsletter.db.models import Batch, Delivery
    from newsletter.sending import create_send
    from workers.tasks import queue_send

    issue_id = prepare_send(url, REDIS_URL, args.recipients)
    settings = get_settings()
    with transaction(url) as session:
        session.execute(text("ANALYZE"))

    logs = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    workers = [
        subprocess.Popen([str(Path(sys.executable).parent / "celery"), "-A", "workers", "worker",
                          *(["--pool", args.pool] if args.pool else []),
                          *(["--concurrency", str(args.concurrency)] if args.concurrency else []),
                          "--hostname", f"bench{n}@%h", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                         cwd=REPO, env=env, stdout=(logs / f"worker{n}.log").open("w"), stderr=subprocess.STDOUT)
        for n in range(args.workers)
    ]
    try:
        time.sleep(4)  # let the workers connect before the clock starts
        cpu_before, busy_before, workers_before = os.times(), machine_busy(), [process_cpu(w.pid) for w in workers]
        started = time.perf_counter()
        with transaction(url) as session:
            send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id
        with ThreadPoolExecutor(1) as watcher:  # notes when the first batch is accepted, during the freeze too
            first = watcher.submit(wait_for_first_batch, url)
            queue_send(settings, send_id)  # freezes chunk by chunk; the workers send each as it commits
            frozen = time.perf_counter()
            first_accepted = first.result()
        while True:
            with transaction(url) as session:
                left = session.scalar(select(func.count()).where(Batch.status != "done"))
            if left == 0:
                break
            time.sleep(0.2)
        finished = time.perf_counter()
        cpu_after, busy_after = os.times(), machine_busy()
        cpu = [process_cpu(w.pid) - before for w, before in zip(workers, workers_before, strict=True)]
        peaks = [peak_rss_mib(w.pid) for w in workers]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    with transaction(url) as session:
        accepted = session.scalar(select(func.count()).where(Delivery.status == "accepted"))
    at_fake = fake.accepted_deliveries()
    fake.stop()
    assert accepted == len(at_fake) == args.recipients and max(at_fake.values()) == 1, "not exactly once"

    total = finished - started
    print(f"| recipients | {args.recipients:,} |")
    pool, concurrency = args.pool or "threads", args.concurrency or settings.sendgrid_concurrency
    print(f"| workers | {args.workers} (`celery worker --pool {pool} --concurrency {concurrency}`), "
          f"fake answering after {args.latency:g} s |")
    print(f"| render, then freeze (chunks of INSERT ... SELECT, the first batches already sending) | "
          f"{frozen - started:.1f} s |")
    print(f"| first batch accepted | {first_accepted - started:.2f} s |")
    print(f"| send to all batches accepted | {total:.1f} s |")
    print(f"| recipients per second | {args.recipients / total:,.0f} |")
    print(f"| requests to the fake SendGrid | {fake.answers['202']:,} |")
    print(f"| peak RSS per worker | {', '.join(f'{p:.0f} MiB' for p in peaks)} |")
    print(f"| CPU per worker during the send | {', '.join(f'{c:.1f} s' for c in cpu)} |")
    driver = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    print(f"| CPU of this process (fake SendGrid, rendering, polling) | {driver:.1f} s |")
    busy = [after - before for before, after in zip(busy_before, busy_after, strict=True)]
    print(f"| machine CPU busy (all processes, PostgreSQL included) | {busy[0] / busy[1]:.0%} |")


if __name__ == "__main__":
    main()
