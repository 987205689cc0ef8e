"""What benchmarks share: a scratch PostgreSQL database, dropped and made again on each run,
a sent send seeded into it, and a `newsletter serve` of the repository's own command on a free
port."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parent.parent

ADMIN_URL = os.environ.get("NEWSLETTER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def seed_subscribers(session, list_id: int, count: int) -> None:
    """``count`` active subscribers (reader<n>@example.org), each confirmed on list ``list_id``."""
    session.execute(text(
        "INSERT INTO subscribers (email, name, status, attributes, created_at) "
        "SELECT 'reader' || n || '@example.org', 'Reader ' || n, 'active', '{}', now() "
        "FROM generate_series(1, :n) AS n"), {"n": count})
    session.execute(text(
        "INSERT INTO subscriptions (list_id, subscriber_id, status, created_at) "
        "SELECT :list_id, id, 'confirmed', now() FROM subscribers"), {"list_id": list_id})


def prepare_send(url: str, redis_url: str, recipients: int) -> int:
    """A migrated database at ``url`` with ``recipients`` confirmed on a list "weekly" and the
    sample issue, and an empty Redis; the issue's id. (Imports the app: set the environment
    first.)"""
    import redis

    from bench.render_and_send import sample_issue
    from newsletter.db import transaction, upgrade_database
    from newsletter.editorial import save_issue
    from newsletter.subscribers import create_list

    redis.Redis.from_url(redis_url).flushdb()
    upgrade_database(url)
    with transaction(url) as session:
        list_id = create_list(session=session, name="weekly").id
        issue_id = save_issue(session=session, content=sample_issue(10)).id
        seed_subscribers(session, list_id, recipients)
    return issue_id


def fresh_database(name: str) -> str:
    """The URL of an empty database ``name`` on the test server (dropped first if it exists)."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """`newsletter serve` with ``env`` on a free port, up and answering; yields its base URL
    (NEWSLETTER_BASE_URL in ``env`` is set to it) and stops it after the block."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(REPO / ".venv/bin/newsletter"), "serve", "--port", str(port)],
                              env={**env, "NEWSLETTER_BASE_URL": base},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def seed_sent_send(url: str, recipients: int, *, send_id: int = 1) -> None:
    """A sent send to ``recipients`` active subscribers (p<n>@example.org), one accepted
    delivery each, accepted an hour ago."""
    with create_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO subscribers (id, email, status, attributes) SELECT g, 'p' || g || "
                          "'@example.org', 'active', '{}' FROM generate_series(1, :n) AS g"), {"n": recipients})
        conn.execute(text("INSERT INTO issues (id, slug, title, date, language, status, version, updated_at) "
                          "VALUES (1, 's', 'T', CURRENT_DATE, 'en', 'sent', 1, now())"))
        conn.execute(text("INSERT INTO sends (id, issue_id, status, subject, html_template, text_template, "
                          "list_names, recipient_count) VALUES (:s, 1, 'sent', 's', '', '', 'weekly', :n)"),
                     {"s": send_id, "n": recipients})
        conn.execute(text("INSERT INTO deliveries (id, send_id, batch_number, subscriber_id, list_id, email, status, "
                          "updated_at) SELECT g, :s, (g - 1) / 1000, g, 1, 'p' || g || '@example.org', 'accepted', "
                          "now() - interval '1 hour' FROM generate_series(1, :n) AS g"), {"s": send_id, "n": recipients})
