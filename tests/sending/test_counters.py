"""Every path that changes a delivery counts it on its batch in the same transaction, so the
progress read from the batches' counters always equals counting the deliveries."""

import pytest
from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, Subscriber
from newsletter.errors import AmbiguousDeliveryError, ProviderError
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.sending import cancel_send, pending_batch_ids, retry_failed, send_batch, send_progress
from newsletter.sending.reconcile import apply_events
from newsletter.sending.states import DeliveryStatus, move_deliveries
from tests.sending.helpers import RecordingProvider, add_people, assert_counters_match_ledger, freeze

PEOPLE = [f"p{n}@example.org" for n in range(9)]  # three batches of three


def batch_ids(url, send_id):
    with transaction(url) as session:
        return pending_batch_ids(session=session, send_id=send_id)


def test_accepted_failed_suppressed_retried_and_cancelled_are_counted(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", PEOPLE)
    send_id, _ = freeze(small_batches, issue_id)
    first, second, third = batch_ids(url, send_id)
    with transaction(url) as session:  # suppressed after the freeze
        session.execute(update(Subscriber).where(Subscriber.email == "p0@example.org").values(status="bounced"))
    send_batch(settings=small_batches, provider=RecordingProvider(), batch_id=first)
    assert_counters_match_ledger(url, send_id)
    send_batch(settings=small_batches, provider=RecordingProvider(ProviderError("test", "refused")), batch_id=second)
    assert_counters_match_ledger(url, send_id)
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
    assert (progress.accepted, progress.suppressed, progress.failed, progress.pending) == (2, 1, 3, 3)
    with transaction(url) as session:
        assert retry_failed(session=session, send_id=send_id) == 3
    assert_counters_match_ledger(url, send_id)
    with transaction(url) as session:
        cancel_send(session=session, send_id=send_id)
    assert_counters_match_ledger(url, send_id)
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
    assert (progress.accepted, progress.suppressed, progress.failed, progress.cancelled, progress.pending) == (
        2, 1, 0, 6, 0)
    assert third  # the third batch was never sent: cancelled with the send


def test_a_webhook_confirming_an_ambiguous_batch_and_dropping_a_message_is_counted(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", PEOPLE[:3])
    send_id, _ = freeze(small_batches, issue_id)
    [batch_id] = batch_ids(url, send_id)
    unsure = RecordingProvider(AmbiguousDeliveryError("test", "timed out"))
    assert send_batch(settings=small_batches, provider=unsure, batch_id=batch_id).status == "ambiguous"
    with transaction(url) as session:
        delivery_id = session.scalar(select(Delivery.id).where(Delivery.email == "p1@example.org"))
        apply_events(session=session, events=[
            ProviderEvent(EventKind.DELIVERED, "p0@example.org", send_id, batch_id, None, "sg-1"),
            ProviderEvent(EventKind.DROPPED, "p1@example.org", send_id, batch_id, delivery_id, "sg-1", "Bounced Address"),
        ])
    assert_counters_match_ledger(url, send_id)
    with transaction(url) as session:
        progress = send_progress(session=session, send_id=send_id)
        assert session.get_one(Batch, batch_id).status == "done"
    assert (progress.status, progress.accepted, progress.failed) == ("sent", 2, 1)


def test_a_move_the_state_table_forbids_is_refused(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", PEOPLE[:1])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session, pytest.raises(ValueError, match="cannot go from"):
        move_deliveries(session, send_id=send_id, where=[], from_=DeliveryStatus.CANCELLED, to=DeliveryStatus.PENDING)
