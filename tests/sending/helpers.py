"""Shared by the sending tests: a recording provider, people on lists, an issue, a frozen send."""

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Send, Subscriber, Subscription
from newsletter.editorial import save_issue
from newsletter.providers import Provider, RecipientResult
from newsletter.sending import create_send, freeze_send
from newsletter.subscribers import create_list, get_list
from tests.conftest import make_settings
from tests.factories import issue


class RecordingProvider(Provider):
    """A provider that accepts everything and remembers what it was given."""

    name = "recording"

    def __init__(self, fail_with: Exception | None = None):
        self.batches = []
        self.fail_with = fail_with

    def send_batch(self, batch):
        self.batches.append(batch)
        if self.fail_with:
            raise self.fail_with
        return [RecipientResult(r.delivery_id, True, r.message_id) for r in batch.recipients]


@pytest.fixture
def small_batches(tmp_path, database_url):
    return make_settings(tmp_path, database_url=database_url, batch_size=3)


def add_people(url, list_name, emails, status="confirmed", subscriber_status="active"):
    with transaction(url) as session:
        list_id = get_list(session=session, name=list_name).id
        for address in emails:
            subscriber = session.scalar(select(Subscriber).where(Subscriber.email == address))
            if subscriber is None:
                subscriber = Subscriber(email=address, status=subscriber_status, attributes={})
                session.add(subscriber)
                session.flush()
            session.add(Subscription(list_id=list_id, subscriber_id=subscriber.id, status=status))


@pytest.fixture
def issue_id(database_url):
    with transaction(database_url) as session:
        for name in ("weekly", "weekly-es"):
            create_list(session=session, name=name)
        return save_issue(session=session, content=issue(2)).id


def freeze(settings, issue_id, lists=("weekly",)):
    """Start a send of the issue and freeze its recipients: (send id, recipients)."""
    with transaction(settings.database_url) as session:
        send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=list(lists)).id
    freeze_send(settings=settings, send_id=send_id)
    with transaction(settings.database_url) as session:
        return send_id, session.get_one(Send, send_id).recipient_count


def assert_counters_match_ledger(url, send_id):
    """The batches' counters say what counting the send's deliveries says."""
    from sqlalchemy import func

    from newsletter.db.models import Delivery
    from newsletter.sending import send_progress

    with transaction(url) as session:
        ledger = dict(session.execute(select(Delivery.status, func.count()).where(Delivery.send_id == send_id)
                                      .group_by(Delivery.status)).all())
        progress = send_progress(session=session, send_id=send_id)
    counters = {status: getattr(progress, status)
                for status in ("pending", "accepted", "failed", "suppressed", "cancelled")}
    assert counters == {status: ledger.get(status, 0) for status in counters}
