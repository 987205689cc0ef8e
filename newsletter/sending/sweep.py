"""The periodic sweep (Celery beat runs it every NEWSLETTER_POLL_INTERVAL seconds).

One pass starts scheduled sends that are due, takes back batches whose worker went silent,
settles ambiguous batches nobody confirmed, picks the batches that need a task message, and
freezes the recipients of sends that nobody is freezing (just started, or their freezer died).
Every step is a state-conditioned UPDATE, so two beats, or a beat and an admin's command,
running at once never start a send twice or lose a batch: the database row decides.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.db.models import Batch, Send, utcnow
from newsletter.sending.create import start_send
from newsletter.sending.freeze import freeze_send, sends_to_freeze
from newsletter.sending.states import (
    UNFINISHED_BATCHES,
    B,
    S,
    cancel_pending_batches,
    finish_if_complete,
    transition,
)


@dataclass
class SweepReport:
    """What one sweep did; ``to_queue`` are the batch ids that need a task now."""

    started: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    frozen: list[int] = field(default_factory=list)  # sends whose recipients it froze
    recovered: int = 0
    ambiguous: int = 0
    resent: int = 0
    finished: list[int] = field(default_factory=list)  # sends the safety net found complete
    to_queue: list[int] = field(default_factory=list)


def sweep(
    *, settings: Settings, resend_is_harmless: bool, now: dt.datetime | None = None,
    on_batches: Callable[[list[int]], object] | None = None,
) -> SweepReport:
    """Run one pass; ``resend_is_harmless`` is the provider's (see Provider).

    Batch ids that need a task go to ``on_batches`` as soon as they are ready (a freeze's
    chunk by chunk, so that its first batches go out while it goes on) and into the report.
    """
    now = now or utcnow()
    report = SweepReport()

    def ready(batch_ids: list[int]) -> None:
        report.to_queue.extend(batch_ids)
        if on_batches is not None and batch_ids:
            on_batches(batch_ids)

    url = settings.database_url
    with transaction(url) as session:
        report.held = hold_late_sends(session=session, settings=settings, now=now)
    for send_id in due_send_ids(url, now):
        with transaction(url) as session:  # one send per transaction: the claim is its row lock
            if claim_scheduled_send(session=session, send_id=send_id, now=now):
                report.started.append(send_id)
    with transaction(url) as session:
        report.recovered, report.ambiguous, report.resent = recover_batches(
            session=session, settings=settings, resend_is_harmless=resend_is_harmless, now=now
        )
        queue = batches_to_queue(session=session, settings=settings, now=now)
    ready(queue)
    report.finished = finish_complete_sends(url)
    with transaction(url) as session:  # last: the batches it makes are queued as they commit
        report.frozen = sends_to_freeze(session=session, settings=settings, now=now)
    for send_id in report.frozen:
        freeze_send(settings=settings, send_id=send_id, on_batches=ready)
    return report


def hold_late_sends(*, session: Session, settings: Settings, now: dt.datetime) -> list[int]:
    """Hold scheduled sends found more than NEWSLETTER_LATE_SEND_LIMIT past their time."""
    limit = dt.timedelta(seconds=settings.late_send_limit)
    late = session.scalars(
        transition(Send, S.SCHEDULED, S.HELD, Send.scheduled_at < now - limit,
                   status_reason=f"found more than {_duration(limit)} past its scheduled time; "
                   "resume it to send now, or cancel it")
        .returning(Send.id)
    )
    return sorted(late)


def due_send_ids(url: str, now: dt.datetime) -> list[int]:
    """Scheduled sends whose time has come, earliest first."""
    with transaction(url) as session:
        return list(session.scalars(
            select(Send.id).where(Send.status == S.SCHEDULED, Send.scheduled_at <= now).order_by(Send.scheduled_at)
        ))


def claim_scheduled_send(*, session: Session, send_id: int, now: dt.datetime) -> bool:
    """Start a scheduled send if it still is one and is due; False if another poller got there
    first, or an admin rescheduled it later since it was found due."""
    return start_send(session=session, send_id=send_id, where=(Send.scheduled_at <= now,))


def recover_batches(
    *, session: Session, settings: Settings, resend_is_harmless: bool, now: dt.datetime
) -> tuple[int, int, int]:
    """Take back stuck batches; (returned to pending, made ambiguous, re-sent after the window)."""
    stuck = now - dt.timedelta(seconds=settings.batch_stuck_after)
    # A worker alive but slow (a throttling relay, rate-limit waits) keeps its batch: it beats.
    silent = or_(Batch.heartbeat_at.is_(None), Batch.heartbeat_at < stuck)
    unclaimed = session.execute(  # nothing was posted: safe to send
        transition(Batch, B.SUBMITTING, B.PENDING, Batch.claimed_at < stuck, silent,
                   queued_at=None, error="taken back from a worker that stopped before posting")
    ).rowcount
    interrupted = and_(Batch.posted_at < stuck, silent)
    if resend_is_harmless:
        unclaimed += session.execute(
            transition(Batch, B.POSTING, B.PENDING, interrupted,
                       queued_at=None, error="taken back from a worker that stopped while posting")
        ).rowcount
        ambiguous = 0
    else:
        ambiguous = session.execute(
            transition(Batch, B.POSTING, B.AMBIGUOUS, interrupted,
                       error="the worker stopped while posting; awaiting the provider's confirmation")
        ).rowcount
    window = dt.timedelta(seconds=settings.ambiguous_resend_after)
    resent = session.execute(
        transition(Batch, B.AMBIGUOUS, B.PENDING, Batch.posted_at < now - window, queued_at=None, retry_at=None,
                   error=f"re-sent: no confirmation within {_duration(window)}")
    ).rowcount
    cancel_pending_batches(session=session)
    return unclaimed, ambiguous, resent


def finish_complete_sends(url: str) -> list[int]:
    """Finish every send whose freeze is done and whose batches are all finished.

    A safety net: each path that finishes a batch also finishes its send, under the send's
    row lock, so this should find nothing. It is cheap (sending sends only) and makes sure
    no send stays ``sending`` for ever, whatever path a future change forgets.
    """
    unfinished = exists().where(Batch.send_id == Send.id, Batch.status.in_(UNFINISHED_BATCHES))
    with transaction(url) as session:
        candidates = list(session.scalars(
            select(Send.id).where(Send.status.in_((S.SENDING, S.PAUSED)), Send.frozen_at.is_not(None), ~unfinished)
        ))
    finished = []
    for send_id in candidates:  # one transaction each: the send's row lock is taken last, alone
        with transaction(url) as session:
            if finish_if_complete(session, send_id):
                finished.append(send_id)
    return finished


def batches_to_queue(*, session: Session, settings: Settings, now: dt.datetime, send_id: int | None = None) -> list[int]:
    """Due pending batches of sending sends with no live task message; marked queued.

    A batch needs a message when it never had one, when its retry time has passed since the
    last one, or when the last one is older than NEWSLETTER_BATCH_STUCK_AFTER (lost with a
    killed worker or a flushed broker). A duplicate message is harmless: claims are conditional.
    """
    stale = now - dt.timedelta(seconds=settings.batch_stuck_after)
    sending = exists().where(Send.id == Batch.send_id, Send.status == S.SENDING)
    conditions = [
        Batch.status == B.PENDING,
        sending,
        or_(Batch.retry_at.is_(None), Batch.retry_at <= now),
        or_(Batch.queued_at.is_(None), Batch.queued_at < stale,
            Batch.retry_at.is_not(None) & (Batch.queued_at < Batch.retry_at)),
    ]
    if send_id is not None:
        conditions.append(Batch.send_id == send_id)
    ids = session.scalars(update(Batch).where(*conditions).values(queued_at=now).returning(Batch.id))
    return sorted(ids)




def _duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
