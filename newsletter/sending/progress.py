"""How far a send has got, counted from its deliveries."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsletter.db.models import Batch, Delivery, Send
from newsletter.errors import NotFoundError


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
    retrying: str | None = None  # the error a batch waiting for a retry last met

    @property
    def done(self) -> int:
        """Deliveries with a final outcome."""
        return self.total - self.pending


def send_progress(*, session: Session, send_id: int) -> SendProgress:
    """The progress of send ``send_id``, or NotFoundError."""
    send = session.get(Send, send_id)
    if send is None:
        raise NotFoundError(f"there is no send {send_id}")
    counts = dict(
        session.execute(
            select(Delivery.status, func.count()).where(Delivery.send_id == send_id).group_by(Delivery.status)
        ).all()
    )
    retrying = session.scalar(
        select(Batch.error).where(Batch.send_id == send_id, Batch.status == "pending", Batch.error.is_not(None)).limit(1)
    )
    return SendProgress(
        send_id=send_id,
        status=send.status,
        total=send.recipient_count,
        pending=counts.get("pending", 0),
        accepted=counts.get("accepted", 0),
        failed=counts.get("failed", 0),
        suppressed=counts.get("suppressed", 0),
        retrying=retrying,
    )
