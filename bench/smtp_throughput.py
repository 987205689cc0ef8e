"""SMTP throughput: one sender process into an aiosmtpd sink running in its own process.

Run: .venv/bin/python bench/smtp_throughput.py [--messages N] [--batch 1000]
Reports messages per second and the sender's CPU time per message: past a few hundred
messages a second the sink (aiosmtpd costs ~3.5 ms a message) is what limits the rate.
"""

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_and_send import recipients, sample_issue  # noqa: E402

from newsletter.config import Settings  # noqa: E402
from newsletter.providers import OutgoingBatch, SmtpProvider  # noqa: E402
from newsletter.rendering import render_issue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=1000)
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
        settings = Settings(_env_file=None, email_backend="smtp", smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        rendered = render_issue(sample_issue(10), settings)
        people = recipients(args.messages)
        provider = SmtpProvider(settings)
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(people), args.batch):
            batch = OutgoingBatch(1, 1, rendered.subject, "brief@example.org", "The Weekly Brief", None, None,
                                  rendered.html, rendered.text, people[start:start + args.batch])
            results = provider.send_batch(batch)
            assert all(r.accepted for r in results)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        sink.terminate()
        sink.wait()
    print("| measure | result |\n|---|---|")
    print(f"| {args.messages:,} personalised messages (HTML + text) into an aiosmtpd sink, one connection per "
          f"{args.batch} | {wall:.1f} s ({args.messages / wall:,.0f} msg/s) |")
    print(f"| sender CPU per message (MIME build + smtplib) | {cpu / args.messages * 1e3:.2f} ms |")


if __name__ == "__main__":
    main()
