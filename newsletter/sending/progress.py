"""How far a send has got, summed from its batches' counters (sending/states.py): at most a
thousand rows for a million recipients, instead of counting every delivery on every poll."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsletter.db.models import Batch, Send, as_utc, utcnow
from newsletter.errors import NotFoundError
from newsletter.sending.states import COUNTED


@dataclass(frozen=True)
class SendProgress:
    """Counts of a send's deliveries by status."""

    send_id: int
    status: str
    total: int
    pending: int
    accepted: int
    failed: int
    suppressed: int
    cancelled: int = 0
    ambiguous_batches: int = 0  # batches the provider may have, awaiting confirmation
    retrying: str | None = None  # the error a batch waiting for a retry last met
    status_reason: str | None = None
    elapsed: float | None = None  # seconds since the send started (to its end, once finished)
    freezing: bool = False  # recipients are still being frozen: ``total`` grows until they are all in

    @property
    def done(self) -> int:
        """Deliveries with a final outcome."""
        return self.total - self.pending

    @property
    def rate(self) -> float | None:
        """Recipients settled per second so far."""
        return self.done / self.elapsed if self.elapsed and self.done else None

    @property
    def eta(self) -> float | None:
        """Seconds until the pending recipients are settled, at the rate so far."""
        return self.pending / self.rate if self.rate and self.status == "sending" and not self.freezing else None


def send_progress(*, session: Session, send_id: int) -> SendProgress:
    """The progress of send ``send_id``, or NotFoundError."""
    send = session.get(Send, send_id)
    if send is None:
        raise NotFoundError(f"there is no send {send_id}")
    counts = counts_by_send(session=session, sends=[send])[send_id]
    retrying = session.scalar(
        select(Batch.error).where(Batch.send_id == send_id, Batch.status == "pending", Batch.error.is_not(None)).limit(1)
    )
    ambiguous = session.scalar(
        select(func.count()).where(Batch.send_id == send_id, Batch.status == "ambiguous")
    )
    elapsed = None
    if send.started_at is not None:
        elapsed = ((as_utc(send.finished_at) if send.finished_at else utcnow()) - as_utc(send.started_at)).total_seconds()
    return SendProgress(
        send_id=send_id,
        status=send.status,
        total=send.recipient_count,
        pending=counts["pending"],
        accepted=counts["accepted"],
        failed=counts["failed"],
        suppressed=counts["suppressed"],
        cancelled=counts["cancelled"],
        ambiguous_batches=ambiguous,
        retrying=retrying,
        status_reason=send.status_reason,
        elapsed=elapsed,
        freezing=send.started_at is not None and send.frozen_at is None and send.status in ("sending", "paused"),
    )



def counts_by_send(*, session: Session, sends: list[Send]) -> dict[int, dict[str, int]]:
    """Each send's deliveries by outcome (pending, accepted, failed, suppressed, cancelled),
    summed from its batches' counters."""
    counts = {send.id: {"pending": send.recipient_count} | dict.fromkeys(COUNTED, 0) for send in sends}
    if not counts:
        return counts
    sums = [func.coalesce(func.sum(getattr(Batch, outcome.value)), 0) for outcome in COUNTED]
    for send_id, *totals in session.execute(
        select(Batch.send_id, *sums).where(Batch.send_id.in_(list(counts))).group_by(Batch.send_id)
    ):
        for outcome, total in zip(COUNTED, totals, strict=True):
            counts[send_id][outcome.value] = total
            counts[send_id]["pending"] -= total
    return counts
