"""Benchmark of the event ledger: SendGrid webhook POSTs of 1,000 signed events each, applied
by a real `newsletter serve` on PostgreSQL, and the same deliveries applied in-process.

Run: .venv/bin/python bench/webhook_events.py [--posts 20] [--events 1000]
Uses a scratch database `bench_events`, dropped and created again, on a local server (the CPU
of its backend is read from /proc). Prints a Markdown table;
docs/benchmarks.md keeps the figures. The goal in the issue: 20,000 events/s or more.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from scratch import fresh_database, seed_sent_send, serving

DATABASE = "bench_events"
KINDS = ["delivered"] * 12 + ["open"] * 4 + ["click"] * 2 + ["processed", "deferred", "bounce", "spamreport"]


def events(post: int, count: int, recipients: int, rng: random.Random) -> list[dict]:
    made = []
    for n in range(count):
        delivery = rng.randint(1, recipients)
        kind = rng.choice(KINDS)
        event = {"event": kind, "email": f"p{delivery}@example.org", "sg_event_id": f"p{post}-e{n}",
                 "timestamp": int(time.time()), "sg_message_id": f"m{delivery}.filter1", "nl_send": "1",
                 "nl_delivery": str(delivery)}
        if kind == "bounce":
            event.update(type=rng.choice(["bounce", "blocked"]), status="5.1.1", reason="550 no such user")
        if kind == "click":
            event["url"] = "https://example.org/story"
        made.append(event)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=4, help="POSTs at once in the last run, as SendGrid sends them")
    args = parser.parse_args()
    from newsletter.config import Settings
    from newsletter.db import transaction, upgrade_database
    from newsletter.providers.sendgrid import parse_events
    from newsletter.tracking import apply_provider_events
    from tests.fakes.sendgrid import FakeSendGrid

    url = fresh_database(DATABASE)
    upgrade_database(url)
    seed_sent_send(url, args.recipients)
    signer, rng = FakeSendGrid(), random.Random(7)
    env = {**os.environ, "NEWSLETTER_DATABASE_URL": url, "NEWSLETTER_SENDGRID_WEBHOOK_PUBLIC_KEY": signer.public_key,
           "NEWSLETTER_SECRET_KEY": "bench-" * 8}
    with serving(env) as base:
        over_http = []
        with httpx.Client(timeout=60) as client:
            for post in range(args.posts):
                body = json.dumps(events(post, args.events, args.recipients, rng)).encode()
                started = time.perf_counter()
                answer = post_signed(client, base, signer, body)
                over_http.append(time.perf_counter() - started)
                assert answer.status_code == 200 and answer.json()["recorded"] == args.events, answer.text
            bodies = [json.dumps(events(post, args.events, args.recipients, rng)).encode()
                      for post in range(2 * args.posts, 3 * args.posts)]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                answers = list(pool.map(lambda body: post_signed(client, base, signer, body), bodies))
            at_once = time.perf_counter() - started
            assert all(a.status_code == 200 and a.json()["recorded"] == args.events for a in answers)
    settings = Settings(database_url=url, secret_key="bench-" * 8)
    in_process, cpu = [], []
    for post in range(3 * args.posts, 4 * args.posts):
        parsed = parse_events(events(post, args.events, args.recipients, rng))
        started, started_cpu = time.perf_counter(), time.process_time()
        with transaction(url) as session:
            backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            backend_cpu = cpu_seconds(backend)
            report = apply_provider_events(session=session, settings=settings, events=parsed)
        in_process.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu + cpu_seconds(backend) - backend_cpu)
        assert report.recorded == args.events
    http_s, apply_s, cpu_s = statistics.median(over_http), statistics.median(in_process), statistics.median(cpu)
    print(f"| {args.events:,} events a POST, {args.posts} POSTs each way, PostgreSQL (median) | per POST | events/s |")
    print("|---|---|---|")
    print(f"| signed webhook POST to `newsletter serve` (verify, parse, apply, commit) | {http_s * 1000:.0f} ms "
          f"| {args.events / http_s:,.0f} |")
    print(f"| {args.concurrency} signed POSTs at once, as SendGrid sends them (throughput) "
          f"| {at_once / args.posts * 1000:.0f} ms | {args.events * args.posts / at_once:,.0f} |")
    print(f"| `apply_provider_events` in-process (ledger, suppressions, commit) | {apply_s * 1000:.0f} ms "
          f"| {args.events / apply_s:,.0f} |")
    print(f"| the same, CPU: this process and its PostgreSQL backend | {cpu_s * 1000:.0f} ms "
          f"| {args.events / cpu_s:,.0f} per CPU second |")


def post_signed(client: httpx.Client, base: str, signer, body: bytes) -> httpx.Response:
    """POST ``body`` to the webhook, signed as SendGrid signs it."""
    stamp = str(int(time.time()))
    headers = {"X-Twilio-Email-Event-Webhook-Timestamp": stamp,
               "X-Twilio-Email-Event-Webhook-Signature": signer.sign(body, stamp), "Content-Type": "application/json"}
    return client.post(f"{base}/webhooks/sendgrid", content=body, headers=headers)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of local process ``pid`` (a PostgreSQL backend): on a machine others
    load too, CPU per POST varies far less than the time it takes."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
