"""The event ledger: every event a provider reports about a delivery, recorded once.

A delivery of events (a SendGrid webhook POST of up to a thousand, a pass over the bounce
mailbox) is applied in a few statements, not a transaction per event: one INSERT ... ON
CONFLICT DO NOTHING of all the events, which finds the deliveries they name (SQLite reads
them first) and returns only the events not seen before; then the suppressions those new
events cause, and the sends' kept counts (tracking/counts.py). An event delivered twice, or
out of order, is recorded once and changes nothing the second time.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import dialect_insert, one_of
from newsletter.db.models import Delivery, DeliveryEvent, Subscriber, utcnow
from newsletter.providers.base import ProviderEvent
from newsletter.sending.reconcile import apply_events
from newsletter.tracking.counts import count_events
from newsletter.tracking.suppression import apply_suppressions


@dataclass(frozen=True)
class LedgerReport:
    """What one delivery of events changed."""

    recorded: int  # new events (repeats are not counted)
    repeated: int
    suppressed: list[int] = field(default_factory=list)  # subscriber ids newly suppressed
    confirmed_batches: int = 0  # ambiguous batches the events proved accepted


def apply_provider_events(*, session: Session, settings: Settings, events: list[ProviderEvent]) -> LedgerReport:
    """Everything a delivery of provider events changes, in the caller's transaction: the
    batches they prove accepted and the deliveries they say were dropped (sending), then the
    ledger and the suppressions (here)."""
    confirmed = apply_events(session=session, events=events).confirmed_batches
    report = record_events(session=session, settings=settings, events=events)
    return LedgerReport(report.recorded, report.repeated, report.suppressed, confirmed)


def record_events(*, session: Session, settings: Settings, events: list[ProviderEvent]) -> LedgerReport:
    """Record ``events`` in the ledger and apply the suppressions the new ones cause."""
    if not events:
        return LedgerReport(0, 0)
    if session.get_bind().dialect.name == "postgresql":  # the INSERT finds the deliveries itself
        rows = _rows(events, lambda event: (event.send_id, event.delivery_id, None))
        fresh = _insert_resolved(session, rows)
    else:
        rows = _rows(events, _owners(session, events))
        inserted = _insert_new(session, rows)
        new_ids = {event_id: row_id for row_id, event_id in inserted}
        fresh = [(new_ids[row["event_id"]], row) for row in rows if row["event_id"] in new_ids]
    suppressed = apply_suppressions(session=session, settings=settings, events=fresh)
    count_events(session=session, rows=[row for _, row in fresh])  # last: other writers wait on its rows
    return LedgerReport(len(fresh), len(rows) - len(fresh), suppressed)


# On PostgreSQL the rows go as one JSON parameter, encoded by orjson in one call: one small
# statement whatever their number (a VALUES list of a thousand rows took ~0.5 s for the driver
# to parse, and arrays of text ~15 ms for psycopg to quote, element by element, with a regex).
# The same statement finds each event's delivery (by the id echoed, if the address matches)
# or else its subscriber (by the address), one index lookup each. Rows go in in key order, so
# that two POSTs carrying the same events in different orders (a retry racing the first try)
# wait for each other instead of deadlocking; what it inserted comes back as one JSON array (a
# thousand rows fetched one by one through the driver and SQLAlchemy cost more than the
# statement), and is put back in the order posted.
_COLUMNS = ("provider", "event_id", "kind", "send_id", "delivery_id", "subscriber_id", "email", "bounce", "status",
            "reason", "url", "machine", "occurred_at", "raw")
_TYPES = ("text", "text", "text", "int", "int", "int", "text", "text", "text", "text", "text", "bool", "timestamptz",
          "json")
_RESOLVED = {"send_id": "CASE WHEN d.id IS NOT NULL THEN d.send_id WHEN t.delivery_id IS NULL THEN t.send_id END",
             "delivery_id": "d.id", "subscriber_id": "coalesce(d.subscriber_id, s.id)"}
_INSERT_RESOLVED = text(
    f"WITH new AS (INSERT INTO delivery_events ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join(_RESOLVED.get(c, f't.{c}') for c in _COLUMNS)} "
    f"FROM json_to_recordset(CAST(:rows AS json)) "
    f"AS t({', '.join(f'{c} {t}' for c, t in zip(_COLUMNS, _TYPES, strict=True))}) "
    "LEFT JOIN LATERAL (SELECT id, send_id, subscriber_id FROM deliveries "
    "WHERE id = t.delivery_id AND email = t.email LIMIT 1) AS d ON true "
    "LEFT JOIN LATERAL (SELECT id FROM subscribers WHERE d.id IS NULL AND email = t.email LIMIT 1) AS s ON true "
    "ORDER BY t.provider, t.event_id ON CONFLICT (provider, event_id) DO NOTHING "
    "RETURNING id, event_id, send_id, delivery_id, subscriber_id) "
    "SELECT CAST(coalesce(json_agg(json_build_array(id, event_id, send_id, delivery_id, subscriber_id)), '[]') "
    "AS text) FROM new"
)


def _insert_resolved(session: Session, rows: list[dict]) -> list[tuple[int, dict]]:
    """PostgreSQL: insert the rows not yet in the ledger, with their deliveries found; (id, row)
    of each one inserted, the row given its send, delivery and subscriber."""
    position = {row["event_id"]: n for n, row in enumerate(rows)}
    fresh = []
    for row_id, event_id, send_id, delivery_id, subscriber_id in orjson.loads(
            session.execute(_INSERT_RESOLVED, {"rows": orjson.dumps(rows).decode()}).scalar_one()):
        row = rows[position[event_id]]
        row.update(send_id=send_id, delivery_id=delivery_id, subscriber_id=subscriber_id)
        fresh.append((row_id, row))
    return sorted(fresh, key=lambda pair: position[pair[1]["event_id"]])


def _insert_new(session: Session, rows: list[dict]) -> list[tuple[int, str]]:
    """SQLite: insert the rows not yet in the ledger; (id, event id) of each one inserted."""
    statement = (dialect_insert(session, DeliveryEvent.__table__)
                 .on_conflict_do_nothing(index_elements=["provider", "event_id"])
                 .returning(DeliveryEvent.id, DeliveryEvent.event_id))
    return [tuple(row) for row in session.connection().execute(statement, rows)]


def _owners(session: Session, events: list[ProviderEvent]) -> Callable[[ProviderEvent], tuple]:
    """(send, delivery, subscriber) of an event of ``events``, as _INSERT_RESOLVED finds them:
    its delivery by the id the provider echoed if the address matches (with the delivery's
    send), else its subscriber by address (and the send echoed if no delivery was)."""
    delivery_ids = sorted({e.delivery_id for e in events if e.delivery_id is not None})
    deliveries = {}
    if delivery_ids:
        deliveries = {row.id: row for row in session.execute(
            select(Delivery.id, Delivery.send_id, Delivery.subscriber_id, Delivery.email)
            .where(one_of(session, Delivery.id, delivery_ids)))}

    def owner(event: ProviderEvent):  # ids echoed with another address are not trusted
        delivery = deliveries.get(event.delivery_id)
        return delivery if delivery is not None and delivery.email == event.email else None

    unknown = sorted({event.email for event in events if owner(event) is None})
    by_email = {}
    if unknown:
        by_email = {email: subscriber_id for email, subscriber_id in session.execute(
            select(Subscriber.email, Subscriber.id).where(Subscriber.email.in_(unknown)))}

    def resolve(event: ProviderEvent) -> tuple:
        delivery = owner(event)
        if delivery is not None:
            return delivery.send_id, delivery.id, delivery.subscriber_id
        return event.send_id if event.delivery_id is None else None, None, by_email.get(event.email)
    return resolve


def _rows(events: list[ProviderEvent], resolve: Callable[[ProviderEvent], tuple]) -> list[dict]:
    """The ledger rows of ``events``, once per event id: each with the (send, delivery,
    subscriber) that ``resolve`` gives it."""
    now, rows = utcnow(), {}
    for event in events:
        event_id = event.event_id or _fingerprint(event)
        if event_id in rows:
            continue
        send_id, delivery_id, subscriber_id = resolve(event)
        rows[event_id] = {
            "provider": event.provider[:20], "event_id": event_id, "kind": event.kind.value,
            "send_id": send_id, "delivery_id": delivery_id, "subscriber_id": subscriber_id,
            "email": event.email, "bounce": event.bounce, "status": event.status, "reason": event.reason,
            "url": event.url, "machine": event.machine, "occurred_at": event.occurred_at or now, "raw": event.raw,
        }
    return list(rows.values())


def _fingerprint(event: ProviderEvent) -> str:
    """An id for an event its provider gave none: the same payload is the same event."""
    payload = event.raw if event.raw is not None else [event.kind, event.email, event.message_id, event.reason]
    return "sha256:" + hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
