"""Shared fixtures: settings, real databases (SQLite and PostgreSQL), a socket guard.

PostgreSQL and Redis are found from NEWSLETTER_TEST_POSTGRES_URL and NEWSLETTER_TEST_REDIS_URL
(defaults: the local servers). Where one is missing a test is skipped on a developer's
machine, but fails under CI=true: CI must never pass by skipping.
"""

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from newsletter.config import Settings
from newsletter.db import get_engine, upgrade_database
from newsletter.db.models import Base

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("NEWSLETTER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _redis_url_for_this_worker(url: str) -> str:
    """Under pytest-xdist each worker process (gw0, gw1, ...) takes a Redis database of its own,
    counting down from the configured one, so that one worker's flush never empties another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, db = url.rpartition("/")
    return f"{base}/{(int(db or 0) - int(worker[2:])) % 16}"


REDIS_URL = _redis_url_for_this_worker(os.environ.get("NEWSLETTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
IN_CI = os.environ.get("CI", "").lower() == "true"
BIN = Path(sys.executable).parent


def require(available: bool, reason: str) -> None:
    """Skip when something the test needs is missing, except in CI, where that is a failure."""
    if not available:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: required)")
        pytest.skip(reason)


def make_settings(tmp_path: Path, **overrides) -> Settings:
    """Settings for a test, isolated from the environment and any .env file."""
    values = {
        "database_url": f"sqlite:///{tmp_path / 'newsletter.db'}",
        "outbox_dir": tmp_path / "outbox",
        "base_url": "https://news.example.org",
        "secret_key": "test-secret-key",
        "from_email": "brief@example.org",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file (not migrated)."""
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time is slower)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    get_engine(url).dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """A fresh, migrated PostgreSQL database for this test session; dropped afterwards."""
    admin_url = make_url(POSTGRES_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as err:  # noqa: BLE001 - any failure to connect means "not available"
        admin.dispose()
        require(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {err}")
    name = f"newsletter_test_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    get_engine(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    yield request.getfixturevalue("postgres_url")


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The session's PostgreSQL database, emptied before and after the test."""
    _truncate(postgres_database)
    yield postgres_database
    _truncate(postgres_database)


@pytest.fixture
def db_settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings pointing at the migrated test database."""
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
def redis_url() -> str:
    """The test Redis database, emptied first."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as err:
        require(False, f"Redis is not reachable at {REDIS_URL}: {err}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every attempt to open a network connection fail; returns the attempts made."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise OSError("network access attempted during a test that forbids it")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts
