"""Benchmark of the tracked-link redirect: `newsletter serve` on PostgreSQL answering
/c/<send>/<link>/<token> under load from wrk, with clicks buffered in Redis and without.

A sent send of --links links to --recipients readers is seeded; wrk requests the readers'
tracked links (every reader, every link, in a shuffled order) for --seconds with --connections
connections. Each click is recorded before its 302: in Redis, or straight in the database when
there is no Redis. With Redis the server's own sweep is held off (as in production, where Celery
workers drain elsewhere) and the drain of all the run's clicks is timed afterwards.

Run: .venv/bin/python bench/click_redirects.py [--seconds 10] [--connections 64] [--modes redis,database]
Needs wrk (apt-get install wrk), PostgreSQL and Redis (NEWSLETTER_TEST_POSTGRES_URL,
NEWSLETTER_TEST_REDIS_URL). Uses a scratch database `bench_clicks` and Redis database 14,
both emptied first. Prints a Markdown table. The goal in the issue: 2,000 redirects/s or more.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from scratch import fresh_database, seed_sent_send, serving

DATABASE = "bench_clicks"
REDIS_URL = re.sub(r"/\d+$", "/14", os.environ.get("NEWSLETTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
SECRET = "bench-" * 8
SEND = 1

WRK_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
init = function(args) i = math.random(#paths) end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def seed(url: str, recipients: int, links: int) -> None:
    """A sent send with ``links`` links to ``recipients`` readers, accepted an hour ago."""
    seed_sent_send(url, recipients, send_id=SEND)
    with create_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO send_links (send_id, link_id, url) SELECT :s, g, "
                          "'https://example.org/news/' || g FROM generate_series(1, :n) AS g"),
                     {"s": SEND, "n": links})


def wrk(base: str, script: Path, seconds: int, connections: int) -> dict:
    """Run wrk; its requests/s, responses, non-3xx answers and latencies."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    found = {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "responses": int(re.search(r"(\d+) requests in", out).group(1)),
        "bad": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
        "errors": re.search(r"Socket errors:.*", out).group(0) if "Socket errors" in out else "",
    }
    for pct in ("50", "99"):
        found[f"p{pct}"] = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+\w+)", out).group(1)
    return found


def run(mode: str, url: str, paths: Path, args) -> dict:
    env = {**os.environ, "NEWSLETTER_DATABASE_URL": url, "NEWSLETTER_SECRET_KEY": SECRET,
           "NEWSLETTER_REDIS_URL": REDIS_URL if mode == "redis" else "", "NEWSLETTER_POLL_INTERVAL": "3600"}
    env.pop("NEWSLETTER_BROKER_URL", None)
    script = paths.with_suffix(".lua")
    script.write_text(WRK_SCRIPT % paths)
    with serving(env) as base:
        first = paths.read_text().split("\n", 1)[0]
        assert httpx.get(base + first).status_code == 302  # warm: the send's link table is read once
        result = wrk(base, script, args.seconds, args.connections)
    result["mode"] = mode
    if mode == "redis":
        from newsletter.config import Settings
        from newsletter.tracking.click_stream import drain_clicks

        settings = Settings(_env_file=None, database_url=url, redis_url=REDIS_URL, secret_key=SECRET)
        started = time.perf_counter()
        drain_clicks(settings=settings, rounds=10_000)
        result["drain"] = time.perf_counter() - started
    with create_engine(url).connect() as conn:
        result["recorded"] = conn.scalar(text("SELECT count(*) FROM delivery_events WHERE kind = 'clicked'"))
        conn.execute(text("DELETE FROM delivery_events"))
        conn.commit()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--links", type=int, default=8)
    parser.add_argument("--modes", default="redis,database")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    from newsletter.db import upgrade_database
    from newsletter.sending.message_tokens import click_key, click_token

    url = fresh_database(DATABASE)
    upgrade_database(url)
    seed(url, args.recipients, args.links)
    key = click_key(SECRET)
    tracked = [f"/c/{SEND}/{link}/{click_token(key, SEND, delivery)}"
               for delivery in range(1, args.recipients + 1) for link in range(1, args.links + 1)]
    random.Random(7).shuffle(tracked)
    with tempfile.TemporaryDirectory() as folder:
        paths = Path(folder) / "paths.txt"
        paths.write_text("\n".join(tracked) + "\n")
        results = []
        for mode in args.modes.split(","):
            redis.Redis.from_url(REDIS_URL).flushdb()
            results.append(run(mode, url, paths, args))
    print(f"| `newsletter serve` on PostgreSQL, wrk {args.connections} connections for {args.seconds} s "
          f"| redirects/s | p50 | p99 | 302s | clicks recorded | not 3xx |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        how = ("clicks buffered in Redis (XADD before the 302)" if r["mode"] == "redis"
               else "clicks written to the database before the 302 (no Redis)")
        recorded = f"{r['recorded']:,}"
        if "drain" in r:
            recorded += f" (drained in {r['drain']:.1f} s: {r['recorded'] / max(r['drain'], 1e-9):,.0f}/s)"
        print(f"| {how} | {r['rate']:,.0f} | {r['p50']} | {r['p99']} | {r['responses']:,} | {recorded} "
              f"| {r['bad']} {r['errors']} |")


if __name__ == "__main__":
    main()
