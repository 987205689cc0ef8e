"""SMTP throughput: sender processes (as workers would be, each with its pool of connections)
into a relay that answers each message after --latency seconds (tests/fakes/smtp.py, a minimal
asyncio responder: aiosmtpd costs ~3.5 ms a message and would be the limit) in its own process.

Run: .venv/bin/python bench/smtp_throughput.py [--messages N] [--batch 1000] [--senders 2]
     [--connections 10] [--latency 0.03]
Reports messages per second and the senders' CPU time per message.
"""

import argparse
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_and_send import recipients, sample_issue  # noqa: E402

from newsletter.config import Settings  # noqa: E402
from newsletter.providers import OutgoingBatch, SmtpProvider  # noqa: E402
from newsletter.rendering import render_issue  # noqa: E402


def send_share(port: int, messages: int, batch_size: int, connections: int) -> float:
    """Send ``messages`` personalised messages in batches over SMTP; the CPU seconds it took."""
    settings = Settings(_env_file=None, email_backend="smtp", smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none",
                        smtp_connections=connections)
    rendered = render_issue(sample_issue(10), settings)
    people = recipients(messages)
    provider = SmtpProvider(settings)
    cpu = time.process_time()
    for start in range(0, len(people), batch_size):
        batch = OutgoingBatch(1, 1, rendered.subject, "brief@example.org", "The Weekly Brief", None, None,
                              rendered.html, rendered.text, people[start:start + batch_size])
        results = provider.send_batch(batch)
        assert all(r.accepted for r in results)
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=2, help="sender processes, each with its own pool")
    parser.add_argument("--connections", type=int, default=10, help="NEWSLETTER_SMTP_CONNECTIONS of each sender")
    parser.add_argument("--latency", type=float, default=0.03, help="seconds the relay takes to accept a message")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = subprocess.Popen([sys.executable, "-m", "tests.fakes.smtp", "--port", str(port), "--latency",
                             str(args.latency)], cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        share = args.messages // args.senders
        with ProcessPoolExecutor(args.senders) as pool:
            n = args.senders
            list(pool.map(send_share, [port] * n, [1] * n, [1] * n, [1] * n))  # warm up
            wall = time.perf_counter()
            cpu = sum(pool.map(send_share, [port] * n, [share] * n, [args.batch] * n, [args.connections] * n))
            wall = time.perf_counter() - wall
    finally:
        sink.terminate()
        sink.wait()
    print("| measure | result |\n|---|---|")
    sent = share * args.senders
    print(f"| {sent:,} personalised messages (HTML + text) from {args.senders} senders, {args.connections} connections "
          f"each, batches of {args.batch}, relay answering after {args.latency * 1e3:g} ms "
          f"| {wall:.1f} s ({sent / wall:,.0f} msg/s) |")
    print(f"| sender CPU per message (MIME build + pipelined SMTP) | {cpu / sent * 1e3:.2f} ms |")


if __name__ == "__main__":
    main()
