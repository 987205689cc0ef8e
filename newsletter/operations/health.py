"""Readiness: can this process reach what it needs to serve (the database, the broker)?

Liveness (/healthz) needs no check: answering at all is the proof. Readiness (/readyz) tries
each dependency once, with short timeouts, and says which one failed; the reason is logged,
not shown, since /readyz answers anyone.
"""

import logging
from dataclasses import dataclass

import redis
from sqlalchemy import text

from newsletter.config import Settings
from newsletter.db import get_engine

log = logging.getLogger(__name__)

TIMEOUT = 2.0  # seconds per dependency


@dataclass(frozen=True)
class Check:
    """One dependency's state: ``ok``, or what went wrong in ``problem``."""

    name: str
    ok: bool
    problem: str | None = None


def readiness(settings: Settings) -> list[Check]:
    """The database, and the broker when there is one, each tried now."""
    checks = [database_check(settings)]
    if settings.broker_url:
        checks.append(broker_check(settings.broker_url))
    for check in checks:
        if not check.ok:
            log.warning("not ready: %s: %s", check.name, check.problem)
    return checks


def database_check(settings: Settings) -> Check:
    """``SELECT 1`` through the app's own engine (and its pool)."""
    try:
        with get_engine(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as err:  # noqa: BLE001 - whatever the driver raises, the database is not there
        return Check("database", False, first_line(err))
    return Check("database", True)


def broker_check(broker_url: str) -> Check:
    """A PING to a Redis broker; a connection to any other kind (through kombu)."""
    try:
        if broker_url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(broker_url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
            try:
                client.ping()
            finally:
                client.close()
        elif not broker_url.startswith("memory://"):
            from kombu import Connection

            with Connection(broker_url, connect_timeout=TIMEOUT) as connection:
                connection.ensure_connection(max_retries=1, timeout=TIMEOUT)
    except Exception as err:  # noqa: BLE001 - any failure to connect means "not reachable"
        return Check("broker", False, first_line(err))
    return Check("broker", True)


def first_line(err: BaseException) -> str:
    """An exception's first line, for a one-line report."""
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__
