"""Shared by the click tests: an issue of three items sent to people on lists through a
recording provider, the messages each person got, and the ledger's clicks."""

import datetime as dt
import email
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from newsletter.config import Settings
from newsletter.content.models import IssueContent
from newsletter.db import transaction
from newsletter.db.models import Delivery, DeliveryEvent, MailingList, Subscriber, utcnow
from newsletter.editorial import save_issue
from newsletter.providers import provider_from_settings
from newsletter.providers.base import Provider
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.subscribers import create_list, update_list
from tests.factories import issue_data
from tests.sending.helpers import RecordingProvider, add_people, freeze

PEOPLE = ["ana@example.org", "bo@example.org"]
ITEM_LINKS = [f"https://example.org/news/{n}" for n in (1, 2, 3)]


@dataclass
class Sent:
    send_id: int
    deliveries: dict[str, int]  # address -> delivery id
    messages: dict[str, tuple[str, str]]  # address -> (HTML, text) as that person got them
    provider: Provider

    def tracked_links(self, email: str) -> list[str]:
        """The tracked links in the HTML ``email`` got, in order, repeats included."""
        return re.findall(r'href="([^"]*/c/[^"]*)"', self.messages[email][0])


def send_issue(settings: Settings, people: dict[str, list[str]] | None = None,
               tracking: dict[str, bool] | None = None, opens: dict[str, bool] | None = None,
               opted_out: tuple[str, ...] = (), received: Callable[[], dict[str, tuple[str, str]]] | None = None,
               **content: Any) -> Sent:
    """Send a three-item issue (with ``content``'s fields: a call_to_action, say) to ``people``
    ({list: addresses}; default: PEOPLE on weekly), the lists' click tracking set as in
    ``tracking`` (default: on) and open tracking as in ``opens`` (default: off), the
    ``opted_out`` addresses having turned tracking off, and deliver every batch: through a
    recording provider, or, with ``received``, through ``settings``' own provider (a real SMTP
    server's), ``received()`` then giving what each person got."""
    people = people or {"weekly": PEOPLE}
    url = settings.database_url
    with transaction(url) as session:
        for name in people:
            track, track_opens = (tracking or {}).get(name, True), (opens or {}).get(name, False)
            found = session.scalar(select(MailingList).where(MailingList.name == name))
            if found is None:
                create_list(session=session, name=name, track_clicks=track, track_opens=track_opens)
            else:
                update_list(session=session, name=name, title=found.title, description=found.description,
                            public=found.public, track_clicks=track, track_opens=track_opens)
        data = issue_data(3, **content)
        if data.get("format") == "article":  # a body instead of items
            del data["items"]
        issue_id = save_issue(session=session, content=IssueContent.model_validate(data)).id
    for name, emails in people.items():
        add_people(url, name, emails)
    if opted_out:
        with transaction(url) as session:
            session.execute(update(Subscriber).where(Subscriber.email.in_(opted_out)).values(tracking_opt_out=True))
    send_id, _ = freeze(settings, issue_id, tuple(people))
    provider = RecordingProvider() if received is None else provider_from_settings(settings)
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        assert send_batch(settings=settings, provider=provider, batch_id=batch_id).status == "done"
    with transaction(url) as session:
        deliveries = {d.email: d.id for d in session.scalars(select(Delivery).where(Delivery.send_id == send_id))}
    if received is not None:
        return Sent(send_id, deliveries, received(), provider)
    messages = {r.email: tuple(document.fill(r.fields) for document in batch.documents(r))
                for batch in provider.batches for r in batch.recipients}
    return Sent(send_id, deliveries, messages, provider)


def parts_of(raw: bytes) -> tuple[str, str]:
    """(HTML, text) of a message as it arrived, decoded from its transfer encoding."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return (message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content())


def accepted_ago(url: str, seconds: float) -> None:
    """Make every delivery look accepted ``seconds`` ago."""
    with transaction(url) as session:
        session.execute(update(Delivery).values(updated_at=utcnow() - dt.timedelta(seconds=seconds)))


def clicks(url: str) -> list:
    """The ledger's clicked events, oldest first (ids follow event ids within a delivery of events)."""
    with transaction(url) as session:
        return session.execute(
            select(DeliveryEvent.provider, DeliveryEvent.delivery_id, DeliveryEvent.send_id, DeliveryEvent.url,
                   DeliveryEvent.machine, DeliveryEvent.raw, DeliveryEvent.event_id)
            .where(DeliveryEvent.kind == "clicked").order_by(DeliveryEvent.occurred_at, DeliveryEvent.id)
        ).all()
