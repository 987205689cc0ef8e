"""Applying what a provider reports later (SendGrid's Event Webhook) to sends and batches.

Any event about a message of a batch proves the provider accepted that batch's request (a
call is accepted or refused whole), so a batch left ``ambiguous`` (or ``posting``, or put
back after its window but not yet re-sent) is settled as ``done``, its pending deliveries
``accepted``: it will not be sent twice. A message the provider dropped is a failed delivery.
Events repeat; applying one twice changes nothing. (The events themselves, and the
suppressions they cause, are the ledger's: newsletter.tracking.)
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.db.models import Batch, Delivery, utcnow
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.sending.states import (
    DELIVERY_TRANSITIONS,
    B,
    DeliveryStatus,
    finish_if_complete,
    lock_batch,
    move_deliveries,
    transition,
)


@dataclass(frozen=True)
class ReconcileReport:
    """What a delivery of events changed."""

    confirmed_batches: int


def apply_events(*, session: Session, events: list[ProviderEvent]) -> ReconcileReport:
    """Confirm the batches the events prove accepted, and fail the deliveries they say were dropped."""
    now = utcnow()
    confirmed = 0
    message_ids = {e.batch_id: e.message_id for e in events if e.proves_acceptance}
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
        finish_if_complete(session, send_id)
        confirmed += 1
    for event in events:
        if event.kind == EventKind.DROPPED and event.delivery_id is not None:
            _fail_dropped(session, event)
    return ReconcileReport(confirmed)



def _fail_dropped(session: Session, event: ProviderEvent) -> None:
    """Fail a delivery the provider dropped, counted on its batch; its batch's row is locked
    before the delivery's (LOCK ORDER)."""
    found = session.execute(
        select(Delivery.send_id, Delivery.batch_number, Delivery.status).where(Delivery.id == event.delivery_id)
    ).first()
    if found is None or DeliveryStatus.FAILED not in DELIVERY_TRANSITIONS[DeliveryStatus(found.status)]:
        return
    lock_batch(session, found.send_id, found.batch_number)
    move_deliveries(session, send_id=found.send_id, batch_number=found.batch_number,
                    where=[Delivery.id == event.delivery_id], from_=DeliveryStatus(found.status),
                    to=DeliveryStatus.FAILED, error=f"dropped by the provider: {event.reason or 'no reason given'}")
