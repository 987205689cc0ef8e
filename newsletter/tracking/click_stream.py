"""Clicks and opens buffered in Redis, so that the redirect (or the open image) answers without
waiting for the database.

With a shared Redis (NEWSLETTER_REDIS_URL, or a Redis broker) the web app appends each click
to a Redis stream before it answers, and a worker drains the stream into the ledger on the
sweep's schedule. Without one (the embedded mode) each click is written to the database before
its answer too, in groups: while one transaction writes, the clicks that arrive wait for the
next, which takes them all (a scanner's burst is one transaction, not one per link).

No click that got its redirect is lost when a drainer stops: the stream is read through a
consumer group, so what a drainer read stays pending until it acknowledges it, which it does
only after the transaction that recorded it has committed. Entries left pending longer than
``reclaim_after`` seconds (a drainer that died) are claimed again by the next drain (XAUTOCLAIM).
A click drained twice is recorded once: its event id is unique in the ledger.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson
import redis

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.tracking.clicks import Click, record_clicks
from newsletter.tracking.opens import Open, record_opens

log = logging.getLogger(__name__)

STREAM = "newsletter:clicks"
GROUP = "ledger"
CONSUMER = "drain"  # one name for all drainers: XAUTOCLAIM takes back what a dead one held
TIMEOUT = 2.0  # seconds to wait for Redis before the web app writes to the database instead
GROUP_LIMIT = 1000  # clicks written to the database in one transaction at most


class ClickRecorder:
    """Where the web app records clicks: a Redis stream when there is a shared Redis, else the
    database (see the module's docstring)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.shared_redis_url
        self.redis = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT) if url else None
        self._groups = GroupWriter(self.write)

    def push(self, click: Click | Open) -> bool:
        """Append ``click`` (or an open) to the stream; False if Redis could not take it (then
        :meth:`write` it)."""
        try:
            self.redis.xadd(STREAM, {"o" if isinstance(click, Open) else "c": _encode(click)})
        except redis.RedisError as err:
            log.error("could not buffer a click in Redis (%s); writing it to the database", err)
            return False
        return True

    async def record(self, click: Click | Open) -> None:
        """Record ``click`` (or an open) before its answer: in Redis when there is one (a few
        dozen microseconds, in the event loop), else in the database, in the next group written."""
        if self.redis is not None and self.push(click):
            return
        await self._groups.write(click)

    def write(self, made: list[Click | Open]) -> None:
        """Record clicks and opens in the database now, in one transaction."""
        with transaction(self.settings.database_url) as session:
            record_clicks(session=session, settings=self.settings, clicks=[c for c in made if isinstance(c, Click)])
            record_opens(session=session, settings=self.settings, opens=[o for o in made if isinstance(o, Open)])


class GroupWriter:
    """Writes what callers give it in groups, one group at a time in a thread: each caller
    waits until the group holding its item has committed (or failed: then it gets the error),
    and the items given while a group is written make the next one (up to GROUP_LIMIT)."""

    def __init__(self, write: Callable[[list], None]):
        self._write = write
        self._waiting: list[tuple[Any, asyncio.Future]] = []
        self._writing = False

    async def write(self, item: Any) -> None:
        """Hand ``item`` to the next group and wait until that group is written."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write_groups())
        await done

    async def _write_groups(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[:GROUP_LIMIT], self._waiting[GROUP_LIMIT:]
                try:
                    await asyncio.to_thread(self._write, [item for item, _ in group])
                except Exception as err:  # noqa: BLE001 - every waiter of the group is told
                    for _, done in group:
                        done.set_exception(err)
                else:
                    for _, done in group:
                        done.set_result(None)
        finally:
            self._writing = False


def drain_clicks(*, settings: Settings, count: int = 1000, rounds: int = 50, reclaim_after: float = 60.0) -> int:
    """Record the buffered clicks in the ledger, ``count`` at a time, for at most ``rounds``
    rounds (the next drain goes on); the number of clicks newly recorded. Nothing to do
    without a shared Redis."""
    if not settings.shared_redis_url:
        return 0
    client = redis.Redis.from_url(settings.shared_redis_url, socket_timeout=30)
    try:
        recorded = 0
        for _ in range(rounds):
            entries = claim_clicks(client, count=count, reclaim_after=reclaim_after)
            if not entries:
                break
            clicks = [click for _, click in entries if isinstance(click, Click)]
            opens = [made for _, made in entries if isinstance(made, Open)]
            with transaction(settings.database_url) as session:
                recorded += record_clicks(session=session, settings=settings, clicks=clicks).recorded
                recorded += record_opens(session=session, settings=settings, opens=opens).recorded
            acknowledge(client, [entry_id for entry_id, _ in entries])
        return recorded
    finally:
        client.close()


def claim_clicks(client: redis.Redis, *, count: int,
                 reclaim_after: float) -> list[tuple[bytes, Click | Open | None]]:
    """Up to ``count`` entries to record: first those a drainer read and never acknowledged
    for ``reclaim_after`` seconds, then new ones; (entry id, click or open, None if unreadable)."""
    try:
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as err:
        if "BUSYGROUP" not in str(err):
            raise
    claimed = client.xautoclaim(STREAM, GROUP, CONSUMER, int(reclaim_after * 1000), "0-0", count=count)
    if len(claimed) > 2 and claimed[2]:  # pending entries no longer in the stream (Redis 7 lists them)
        client.xack(STREAM, GROUP, *claimed[2])
    entries = list(claimed[1])
    if len(entries) < count:
        for _, fresh in client.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=count - len(entries)):
            entries.extend(fresh)
    return [(entry_id, _decode(entry_id, fields)) for entry_id, fields in entries]


def acknowledge(client: redis.Redis, entry_ids: list[bytes]) -> None:
    """Done with ``entry_ids``: recorded (or unreadable), so off the pending list and out of the stream."""
    if entry_ids:
        pipe = client.pipeline(transaction=False)
        pipe.xack(STREAM, GROUP, *entry_ids)
        pipe.xdel(STREAM, *entry_ids)
        pipe.execute()


def _encode(made: Click | Open) -> bytes:
    if isinstance(made, Open):
        return orjson.dumps([made.event_id, made.send_id, made.delivery_id, made.at, made.proxy])
    return orjson.dumps([made.event_id, made.send_id, made.link_id, made.url, made.delivery_id, made.at,
                         made.head, made.scanner])


# The fields of each kind of entry, in order, by its key in the stream.
_TYPES = {b"c": (Click, (str, int, int, str, int, (int, float), bool, bool)),
          b"o": (Open, (str, int, int, (int, float), bool))}


def _decode(entry_id: bytes, fields: dict) -> Click | Open | None:
    key = b"o" if b"o" in fields else b"c"
    kind, types = _TYPES[key]
    try:
        values = orjson.loads(fields[key])
    except (KeyError, TypeError, ValueError):
        values = None
    if not isinstance(values, list) or len(values) != len(types) or not all(
            isinstance(value, expected) for value, expected in zip(values, types, strict=True)):
        log.warning("dropped an unreadable entry in the Redis stream (entry %r)", entry_id)
        return None
    return kind(*values)
