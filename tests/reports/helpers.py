"""A send whose recipients the provider took, and the events it later reports about them: shared
by the report tests of the package, the pages, the API and the command line."""

import itertools

from sqlalchemy import select

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.db.models import Delivery, MailingList, Subscriber, Subscription
from newsletter.editorial import save_issue
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.subscribers import create_list
from newsletter.tracking import record_events
from tests.factories import issue
from tests.sending.helpers import RecordingProvider, freeze

_event_ids = itertools.count(1)


def sent_send(settings: Settings, emails: list[str], list_name: str = "weekly") -> tuple[int, dict[str, Delivery]]:
    """A send of a new issue to ``emails`` (confirmed on ``list_name``), every batch taken by the
    provider: (send id, {email: its delivery})."""
    with transaction(settings.database_url) as session:
        mailing_list = session.scalar(select(MailingList).where(MailingList.name == list_name))
        if mailing_list is None:
            mailing_list = create_list(session=session, name=list_name)
        subscribers = [Subscriber(email=email, status="active", attributes={}) for email in emails]
        session.add_all(subscribers)
        session.flush()
        session.add_all([Subscription(list_id=mailing_list.id, subscriber_id=s.id, status="confirmed")
                         for s in subscribers])
        issue_id = save_issue(session=session, content=issue(1)).id
    send_id, _ = freeze(settings, issue_id, lists=(list_name,))
    with transaction(settings.database_url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch(settings=settings, provider=RecordingProvider(), batch_id=batch_id)
    with transaction(settings.database_url) as session:
        deliveries = {d.email: d for d in session.scalars(select(Delivery).where(Delivery.send_id == send_id))}
        session.expunge_all()
    return send_id, deliveries


def report_events(settings: Settings, deliveries: dict[str, Delivery], *happenings: tuple) -> None:
    """Record what the provider reports: each happening is (kind, email) or (kind, email, bounce),
    about that person's delivery; an email with no delivery makes an event tied to none."""
    events = []
    for kind, email, *bounce in happenings:
        delivery = deliveries.get(email)
        events.append(ProviderEvent(
            kind=EventKind(kind), email=email, send_id=delivery.send_id if delivery else None,
            batch_id=None, delivery_id=delivery.id if delivery else None, message_id=None,
            event_id=f"ev-{next(_event_ids)}", bounce=bounce[0] if bounce else None,
            reason="550 5.1.1 no such user" if bounce == ["hard"] else None))
    with transaction(settings.database_url) as session:
        record_events(session=session, settings=settings, events=events)


EVERY_KIND = ["ana@example.org", "bo@example.org", "cy@example.net", "dee@example.net", "eve@example.com",
              "fay@example.com"]
# Each person's fate (opens and clicks are in the ledger but not in the report; repeats count once).
HAPPENINGS = [
    ("queued", "ana@example.org"), ("delivered", "ana@example.org"), ("delivered", "ana@example.org"),
    ("opened", "ana@example.org"), ("clicked", "ana@example.org"), ("complained", "ana@example.org"),
    ("deferred", "bo@example.org"), ("deferred", "bo@example.org"), ("delivered", "bo@example.org"),
    ("bounced", "cy@example.net", "hard"),
    ("deferred", "dee@example.net"), ("bounced", "dee@example.net", "soft"), ("bounced", "dee@example.net", "soft"),
    ("dropped", "eve@example.com"),
    ("delivered", "fay@example.com"), ("unsubscribed", "fay@example.com"),
    ("delivered", "stranger@example.org"), ("complained", "stranger@example.org"),  # tied to no delivery
]
EXPECTED = {"recipients": 6, "accepted": 6, "delivered": 3, "deferred": 2, "bounced_hard": 1, "bounced_soft": 1,
            "dropped": 1, "complaints": 1, "unsubscribes": 1}


def every_kind(settings: Settings) -> int:
    """A send to six people whose ledger holds events of every kind; its id."""
    send_id, deliveries = sent_send(settings, EVERY_KIND)
    report_events(settings, deliveries, *HAPPENINGS)
    return send_id
