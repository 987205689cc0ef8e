"""SMTP throughput: sender processes (as workers would be) into an aiosmtpd sink running in
its own process.

Run: .venv/bin/python bench/smtp_throughput.py [--messages N] [--batch 1000] [--senders 2]
Reports messages per second and the senders' CPU time per message: past a few hundred
messages a second the sink (aiosmtpd costs ~3.5 ms a message) is what limits the rate.
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


def send_share(port: int, messages: int, batch_size: int) -> float:
    """Send ``messages`` personalised messages in batches over SMTP; the CPU seconds it took."""
    settings = Settings(_env_file=None, email_backend="smtp", smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
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
    parser.add_argument("--senders", type=int, default=2, help="sender processes, each with its own connection")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        share = args.messages // args.senders
        with ProcessPoolExecutor(args.senders) as pool:
            list(pool.map(send_share, [port] * args.senders, [1] * args.senders, [1] * args.senders))  # warm up
            wall = time.perf_counter()
            cpu = sum(pool.map(send_share, [port] * args.senders, [share] * args.senders, [args.batch] * args.senders))
            wall = time.perf_counter() - wall
    finally:
        sink.terminate()
        sink.wait()
    print("| measure | result |\n|---|---|")
    sent = share * args.senders
    print(f"| {sent:,} personalised messages (HTML + text) from {args.senders} senders into an aiosmtpd sink, "
          f"one connection per {args.batch} | {wall:.1f} s ({sent / wall:,.0f} msg/s) |")
    print(f"| sender CPU per message (MIME build + smtplib) | {cpu / sent * 1e3:.2f} ms |")


if __name__ == "__main__":
    main()
