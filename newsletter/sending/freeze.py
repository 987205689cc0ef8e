"""Starting a send: render the issue once and freeze its recipients into batches.

Everything here is set-based SQL: one INSERT ... SELECT writes a delivery per eligible
recipient (confirmed on one of the lists, not globally suppressed, once even if on several
lists) already numbered into batches, and one more writes the batches. The rendering is
stored with the send, so workers never render and a later edit of the issue cannot change
a send under way.
"""

import datetime as dt

from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.models import Batch, Delivery, Issue, Send, Subscriber, Subscription, utcnow
from newsletter.editorial import get_issue, issue_content
from newsletter.errors import ContentError
from newsletter.rendering import render_issue
from newsletter.subscribers.lists import get_list


def create_send(
    *, session: Session, settings: Settings, issue_id: int, list_names: list[str],
    scheduled_at: dt.datetime | None = None, timezone: str | None = None,
) -> Send:
    """Create a send of issue ``issue_id`` to ``list_names``: rendered now, and either
    started at once (recipients frozen, ``sending``) or ``scheduled`` for ``scheduled_at``.

    The issue is rendered here, so what an admin schedules is what goes out and a template
    error shows at once, not at the scheduled hour. A send started with nobody eligible is
    ``sent`` at once.
    """
    names = list(dict.fromkeys(list_names))
    if not names:
        raise ContentError("name at least one list to send to (--list NAME)")
    for name in names:
        get_list(session=session, name=name)
    issue = get_issue(session=session, issue_id=issue_id)
    rendered = render_issue(issue_content(issue), settings)
    send = Send(
        issue_id=issue.id,
        status="scheduled",
        subject=rendered.subject,
        html_template=rendered.html.source,
        text_template=rendered.text.source,
        list_names=", ".join(names),
        scheduled_at=scheduled_at,
        timezone=timezone,
    )
    session.add(send)
    session.flush()
    if scheduled_at is None:
        start_send(session=session, settings=settings, send=send)
    else:
        issue.status = "scheduled"
    return send


def start_send(*, session: Session, settings: Settings, send: Send) -> None:
    """Freeze the recipients of a scheduled send into pending batches; it is then ``sending``."""
    list_ids = [get_list(session=session, name=name).id for name in send.list_names.split(", ")]
    now = utcnow()
    _freeze_recipients(session, send.id, list_ids, settings.batch_size)
    _create_batches(session, send.id)
    # Summed from the batches: INSERT .. SELECT reports no rowcount through psycopg here.
    send.recipient_count = session.scalar(
        select(func.coalesce(func.sum(Batch.size), 0)).where(Batch.send_id == send.id)
    )
    send.status, send.started_at, send.status_reason = "sending", now, None
    if send.recipient_count == 0:
        send.status, send.finished_at = "sent", now
    session.get_one(Issue, send.issue_id).status = "sent"


def _freeze_recipients(session: Session, send_id: int, list_ids: list[int], batch_size: int) -> None:
    eligible = (
        select(
            literal(send_id).label("send_id"),
            ((func.row_number().over(order_by=Subscriber.id) - 1) // batch_size).label("batch_number"),
            Subscriber.id.label("subscriber_id"),
            func.min(Subscription.list_id).label("list_id"),
            Subscriber.email,
            Subscriber.name,
            literal("pending").label("status"),
        )
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(
            Subscription.list_id.in_(list_ids),
            Subscription.status == "confirmed",
            Subscriber.status == "active",
        )
        .group_by(Subscriber.id, Subscriber.email, Subscriber.name)
    )
    columns = ["send_id", "batch_number", "subscriber_id", "list_id", "email", "name", "status"]
    session.execute(insert(Delivery).from_select(columns, eligible))


def _create_batches(session: Session, send_id: int) -> None:
    per_batch = (
        select(
            Delivery.send_id,
            Delivery.batch_number,
            func.count().label("size"),
            literal("pending").label("status"),
            literal(0).label("attempts"),
        )
        .where(Delivery.send_id == send_id)
        .group_by(Delivery.send_id, Delivery.batch_number)
    )
    columns = ["send_id", "number", "size", "status", "attempts"]
    session.execute(insert(Batch).from_select(columns, per_batch))


def pending_batch_ids(*, session: Session, send_id: int) -> list[int]:
    """The batches of a send still waiting for a worker, in order."""
    return list(
        session.scalars(
            select(Batch.id).where(Batch.send_id == send_id, Batch.status == "pending").order_by(Batch.number)
        )
    )
