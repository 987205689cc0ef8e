"""Applying what a provider reports later (SendGrid's Event Webhook) to sends and subscribers.

Any event about a message of a batch proves the provider accepted that batch's request (a
call is accepted or refused whole), so a batch left ``ambiguous`` (or ``posting``, or put
back after its window but not yet re-sent) is settled as ``done``, its pending deliveries
``accepted``: it will not be sent twice. Hard bounces, spam complaints and unsubscribes
made at the provider suppress the address for good. Events repeat; applying one twice
changes nothing.
"""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.db.models import Batch, Delivery, Subscriber, utcnow
from newsletter.providers.base import ProviderEvent
from newsletter.sending.dispatch import finish_send_if_complete
from newsletter.sending.states import (
    DELIVERY_TRANSITIONS,
    B,
    DeliveryStatus,
    move_deliveries,
    transition,
)

_SUPPRESS = {"bounced": "bounced", "complained": "complained", "unsubscribed": "unsubscribed"}


@dataclass(frozen=True)
class ReconcileReport:
    """What a delivery of events changed."""

    confirmed_batches: int
    suppressed_addresses: int


def apply_events(*, session: Session, events: list[ProviderEvent]) -> ReconcileReport:
    """Confirm the batches the events prove accepted, and suppress addresses they condemn."""
    now = utcnow()
    confirmed = 0
    message_ids = {e.batch_id: e.message_id for e in events if e.batch_id is not None}
    for batch_id, message_id in sorted(message_ids.items()):  # batch, deliveries, send: the LOCK ORDER of dispatch
        batch = session.execute(
            transition(Batch, (B.POSTING, B.AMBIGUOUS, B.PENDING), B.DONE, Batch.id == batch_id,
                       finished_at=now, error=None)
            .returning(Batch.send_id, Batch.number)
        ).first()
        if batch is None:
            continue
        send_id, number = batch
        move_deliveries(session, send_id=send_id, batch_number=number, where=[], from_=DeliveryStatus.PENDING,
                        to=DeliveryStatus.ACCEPTED, provider_message_id=message_id)
        finish_send_if_complete(session, send_id)
        confirmed += 1
    for event in events:
        if event.kind == "dropped" and event.delivery_id is not None:
            _fail_dropped(session, event)
    suppressed = 0
    for event in events:
        status = _SUPPRESS.get(event.kind)
        if status is None:
            continue
        changed = session.execute(
            update(Subscriber).where(Subscriber.email == event.email, Subscriber.status == "active")
            .values(status=status)
        )
        suppressed += changed.rowcount
    return ReconcileReport(confirmed, suppressed)



def _fail_dropped(session: Session, event: ProviderEvent) -> None:
    """Fail a delivery the provider dropped, counted on its batch; its batch's row is locked
    before the delivery's (LOCK ORDER)."""
    found = session.execute(
        select(Delivery.send_id, Delivery.batch_number, Delivery.status).where(Delivery.id == event.delivery_id)
    ).first()
    if found is None or DeliveryStatus.FAILED not in DELIVERY_TRANSITIONS[DeliveryStatus(found.status)]:
        return
    session.execute(select(Batch.id).where(Batch.send_id == found.send_id, Batch.number == found.batch_number)
                    .with_for_update())
    move_deliveries(session, send_id=found.send_id, batch_number=found.batch_number,
                    where=[Delivery.id == event.delivery_id], from_=DeliveryStatus(found.status),
                    to=DeliveryStatus.FAILED, error=f"dropped by the provider: {event.reason or 'no reason given'}")
