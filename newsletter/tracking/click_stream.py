"""Clicks and opens buffered in Redis, so that the redirect (or the open image) answers without
waiting for the database.

With a shared Redis (NEWSLETTER_REDIS_URL, or a Redis broker) the web app appends each click
to a Redis stream before it answers, and a worker drains the stream into the ledger on the
sweep's schedule. Without one (the embedded mode) each click is written to the database at once.

No click that got its redirect is lost when a drainer stops: the stream is read through a
consumer group, so what a drainer read stays pending until it acknowledges it, which it does
only after the transaction that recorded it has committed. Entries left pending longer than
``reclaim_after`` seconds (a drainer that died) are claimed again by the next drain (XAUTOCLAIM).
A click drained twice is recorded once: its event id is unique in the ledger.
"""

import logging

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


class ClickRecorder:
    """Where the web app records clicks: a Redis stream when there is a shared Redis, else the
    database (see the module's docstring)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.shared_redis_url
        self.redis = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT) if url else None

    @property
    def buffered(self) -> bool:
        """Whether clicks go to Redis (fast, in the event loop) rather than to the database."""
        return self.redis is not None

    def push(self, click: Click | Open) -> bool:
        """Append ``click`` (or an open) to the stream; False if Redis could not take it (then
        :meth:`write` it)."""
        try:
            self.redis.xadd(STREAM, {"o" if isinstance(click, Open) else "c": _encode(click)})
        except redis.RedisError as err:
            log.error("could not buffer a click in Redis (%s); writing it to the database", err)
            return False
        return True

    def write(self, click: Click | Open) -> None:
        """Record ``click`` (or an open) in the database now."""
        with transaction(self.settings.database_url) as session:
            if isinstance(click, Open):
                record_opens(session=session, settings=self.settings, opens=[click])
            else:
                record_clicks(session=session, settings=self.settings, clicks=[click])


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
