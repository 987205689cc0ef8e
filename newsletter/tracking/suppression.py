"""Suppression follows the events: who stops getting mail, why, and lifting it.

A hard bounce or a complaint suppresses an address at once, and so does an unsubscribe made
at the provider; soft bounces do once there have been NEWSLETTER_SOFT_BOUNCE_LIMIT of them
within NEWSLETTER_SOFT_BOUNCE_DAYS. Each suppression is a row naming the event that caused
it. An admin may lift a bounce (the mailbox works again); a complaint or an unsubscribe is
the person's own choice, and ends only when they confirm a subscription themselves.
"""

import datetime as dt
from dataclasses import dataclass

import orjson
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import one_of
from newsletter.db.models import DeliveryEvent, Subscriber, Suppression, utcnow
from newsletter.errors import NotFoundError, SendStateError
from newsletter.subscribers.addresses import normalise_email

_AT_ONCE = {"complained": "complained", "unsubscribed": "unsubscribed"}


@dataclass(frozen=True)
class SuppressionEntry:
    """A suppressed (or once suppressed) address, and why."""

    email: str
    reason: str
    detail: str | None
    event_kind: str | None
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lifted_by: str | None


def apply_suppressions(*, session: Session, settings: Settings, events: list[tuple[int, dict]]) -> list[int]:
    """Suppress the subscribers that newly recorded ``events`` (ledger id, row) condemn; the
    ids of those suppressed now (an address already suppressed is left as it is)."""
    causes: dict[int, tuple[str, int, dict]] = {}
    soft: dict[int, tuple[int, dict]] = {}
    for event_id, row in events:
        subscriber_id = row["subscriber_id"]
        if subscriber_id is None:
            continue
        reason = _AT_ONCE.get(row["kind"]) or ("bounced" if row["kind"] == "bounced" and row["bounce"] == "hard" else None)
        if reason:
            causes.setdefault(subscriber_id, (reason, event_id, row))
        elif row["kind"] == "bounced":
            soft[subscriber_id] = (event_id, row)
    soft = {s: cause for s, cause in soft.items() if s not in causes}  # counted only if it may matter
    for subscriber_id, (event_id, row) in _past_soft_limit(session, settings, soft).items():
        causes[subscriber_id] = ("bounced", event_id, row)
    suppressed, rows = [], []
    for reason in ("complained", "bounced", "unsubscribed"):  # one UPDATE per reason
        ids = sorted(s for s, (r, _, _) in causes.items() if r == reason)
        if not ids:
            continue
        changed = session.scalars(
            update(Subscriber).where(one_of(session, Subscriber.id, ids), Subscriber.status == "active")
            .values(status=reason).returning(Subscriber.id)
        ).all()
        rows += [{"subscriber_id": s, "reason": reason, "event_id": causes[s][1], "detail": _detail(causes[s][2])}
                 for s in sorted(changed)]
        suppressed += changed
    _insert_suppressions(session, rows)
    return sorted(suppressed)


# On PostgreSQL the rows go as one JSON parameter: one statement that psycopg parses once (a
# multi-row VALUES differs in length, and so in text, from one delivery of events to the next).
_INSERT_SUPPRESSIONS = text(
    "INSERT INTO suppressions (subscriber_id, reason, event_id, detail) SELECT * FROM "
    "json_to_recordset(CAST(:rows AS json)) AS t(subscriber_id int, reason text, event_id int, detail text)")


def _insert_suppressions(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_INSERT_SUPPRESSIONS, {"rows": orjson.dumps(rows).decode()})
    else:
        session.execute(insert(Suppression), rows)


def _past_soft_limit(session: Session, settings: Settings, soft: dict[int, tuple[int, dict]]) -> dict:
    """Those of ``soft`` (subscriber id: its latest soft bounce) with the limit reached."""
    if not soft:
        return {}
    since = utcnow() - dt.timedelta(days=settings.soft_bounce_days)
    counts = dict(session.execute(
        select(DeliveryEvent.subscriber_id, func.count())
        .where(one_of(session, DeliveryEvent.subscriber_id, sorted(soft)), DeliveryEvent.kind_is("bounced"),
               DeliveryEvent.bounce == "soft", DeliveryEvent.occurred_at >= since)
        .group_by(DeliveryEvent.subscriber_id)
    ).all())
    return {s: cause for s, cause in soft.items() if counts.get(s, 0) >= settings.soft_bounce_limit}


def _detail(row: dict) -> str:
    kind = f"{row['bounce']} bounce" if row["kind"] == "bounced" else row["kind"]
    words = ", ".join(part for part in (row["status"], row["reason"]) if part)
    return f"{kind} ({row['provider']}){': ' + words if words else ''}"[:1000]


def list_suppressions(*, session: Session, include_lifted: bool = False, limit: int = 500) -> list[SuppressionEntry]:
    """Suppressions, newest first, with the kind of event that caused each."""
    query = (
        select(Subscriber.email, Suppression.reason, Suppression.detail, DeliveryEvent.kind, Suppression.created_at,
               Suppression.lifted_at, Suppression.lifted_by)
        .join(Subscriber, Subscriber.id == Suppression.subscriber_id)
        .outerjoin(DeliveryEvent, DeliveryEvent.id == Suppression.event_id)
        .order_by(Suppression.created_at.desc(), Suppression.id.desc()).limit(limit)
    )
    if not include_lifted:
        query = query.where(Suppression.lifted_at.is_(None))
    return [SuppressionEntry(*row) for row in session.execute(query)]


def lift_suppression(*, session: Session, email: str, by: str) -> None:
    """Let a bounced address get mail again, recording who lifted it.

    Refuses a complaint or an unsubscribe: only the person can undo those, by confirming a
    subscription themselves.
    """
    address = normalise_email(email)
    subscriber = session.scalar(select(Subscriber).where(Subscriber.email == address))
    if subscriber is None:
        raise NotFoundError(f"there is no subscriber {address}")
    if subscriber.status != "bounced":
        if subscriber.status == "active":
            raise SendStateError(f"{address} is not suppressed")
        raise SendStateError(f"{address} {subscriber.status}: only they can undo that, by subscribing again "
                             "and confirming it")
    subscriber.status = "active"
    session.execute(update(Suppression).where(Suppression.subscriber_id == subscriber.id,
                                              Suppression.lifted_at.is_(None))
                    .values(lifted_at=utcnow(), lifted_by=by))
