"""Clicks on tracked links, recorded in the ledger as ``clicked`` events (provider ``web``).

Every click whose token names a delivery is recorded, once (its event id is made per request).
Machines click too: mail scanners (Microsoft Safe Links, Proofpoint, Mimecast, Barracuda)
fetch a message's links to check them, and their user agents are not reliably documented.
A click is marked ``machine`` on the signals that do not depend on a user agent:

- a HEAD request (a browser following a link sends GET);
- from a known scanner network (NEWSLETTER_MACHINE_CLICK_NETWORKS);
- within NEWSLETTER_MACHINE_CLICK_SECONDS of the provider taking the message (the delivery's
  ``updated_at`` when it became accepted), or before it was recorded as taken;
- one of several different links of the same message fetched within a second of each other
  (a person opens one link at a time); the earlier clicks of such a burst, recorded already,
  are marked too.

The signals found are kept in the event's ``raw`` payload. Recording writes the ledger and the
send's kept counts (a click marked machine later moves from the human counts to the machine ones).
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import one_of
from newsletter.db.models import Delivery, DeliveryEvent, as_utc
from newsletter.networks import in_networks
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.tracking.counts import count_as_machine
from newsletter.tracking.ledger import LedgerReport, record_events

BURST_SECONDS = 1.0  # different links of one message fetched closer than this: a machine


@dataclass(frozen=True)
class Click:
    """One request for a tracked link whose token named a delivery."""

    event_id: str  # unique per request: the ledger records it once, however often it is drained
    send_id: int
    link_id: int
    url: str
    delivery_id: int
    at: float  # Unix time of the request
    head: bool  # a HEAD request
    scanner: bool  # from a network of NEWSLETTER_MACHINE_CLICK_NETWORKS


def new_click(*, send_id: int, link_id: int, url: str, delivery_id: int, method: str, client: str | None,
              scanner_networks: Path | None = None) -> Click:
    """The click of a request just received, with its own event id; ``scanner_networks``: the
    file of scanners' networks (NEWSLETTER_MACHINE_CLICK_NETWORKS), if any."""
    return Click(f"click-{uuid.uuid4().hex}", send_id, link_id, url, delivery_id,
                 dt.datetime.now(dt.UTC).timestamp(), method == "HEAD", in_networks(scanner_networks, client))


def record_clicks(*, session: Session, settings: Settings, clicks: list[Click]) -> LedgerReport:
    """Record ``clicks`` in the ledger, machines' marked; a click recorded before is not again.

    Clicks of a delivery that no longer exists, or of another send than the token's, are dropped.
    """
    delivery_ids = sorted({c.delivery_id for c in clicks})
    if not delivery_ids:
        return LedgerReport(0, 0)
    deliveries = {row.id: row for row in session.execute(
        select(Delivery.id, Delivery.send_id, Delivery.subscriber_id, Delivery.email, Delivery.status,
               Delivery.updated_at).where(one_of(session, Delivery.id, delivery_ids)))}
    clicks = [c for c in clicks if c.delivery_id in deliveries and deliveries[c.delivery_id].send_id == c.send_id]
    if not clicks:
        return LedgerReport(0, 0)
    earlier = _earlier_clicks(session, clicks, deliveries)
    bursts = _bursts(clicks, earlier)
    events = []
    for click in clicks:
        delivery = deliveries[click.delivery_id]
        at = dt.datetime.fromtimestamp(click.at, dt.UTC)
        signals = [name for name, found in (
            ("head", click.head),
            ("scanner-network", click.scanner),
            ("soon-after-delivery", _soon_after_delivery(delivery, at, settings.machine_click_seconds)),
            ("burst", click.event_id in bursts),
        ) if found]
        events.append(ProviderEvent(
            EventKind.CLICKED, delivery.email, delivery.send_id, None, delivery.id, None, event_id=click.event_id,
            provider="web", occurred_at=at, url=click.url, machine=bool(signals),
            raw={"link": click.link_id, "method": "HEAD" if click.head else "GET", "signals": signals},
        ))
    report = record_events(session=session, settings=settings, events=events)
    marked = sorted(row_id for row_id, event_id, *_, machine in earlier if event_id in bursts and not machine)
    if marked:  # the first clicks of a burst, recorded before the rest arrived
        session.execute(update(DeliveryEvent).where(one_of(session, DeliveryEvent.id, marked))
                        .values(machine=True).execution_options(synchronize_session=False))
        count_as_machine(session=session, event_ids=marked)
    return report


def _soon_after_delivery(delivery, at: dt.datetime, seconds: float) -> bool:
    """Whether a click at ``at`` came before the provider's acceptance was recorded, or within
    ``seconds`` of it."""
    if delivery.status == "pending" or delivery.updated_at is None:
        return True
    return (at - as_utc(delivery.updated_at)).total_seconds() < seconds


def _earlier_clicks(session: Session, clicks: list[Click], deliveries: dict) -> list[tuple]:
    """(id, event id, delivery id, url, Unix time, machine) of the clicks already in the ledger
    of the same deliveries within BURST_SECONDS of these; not these clicks themselves (a drain
    re-run)."""
    low = dt.datetime.fromtimestamp(min(c.at for c in clicks) - BURST_SECONDS, dt.UTC)
    high = dt.datetime.fromtimestamp(max(c.at for c in clicks) + BURST_SECONDS, dt.UTC)
    ours = {c.event_id for c in clicks}
    rows = session.execute(
        select(DeliveryEvent.id, DeliveryEvent.event_id, DeliveryEvent.delivery_id, DeliveryEvent.url,
               DeliveryEvent.occurred_at, DeliveryEvent.machine)
        .where(one_of(session, DeliveryEvent.delivery_id, sorted(deliveries)), DeliveryEvent.kind_is("clicked"),
               DeliveryEvent.occurred_at >= low, DeliveryEvent.occurred_at <= high)
    ).all()
    return [(row.id, row.event_id, row.delivery_id, row.url, as_utc(row.occurred_at).timestamp(), row.machine)
            for row in rows if row.event_id not in ours]


def _bursts(clicks: list[Click], earlier: list[tuple]) -> set[str]:
    """The event ids, new or earlier, of clicks less than BURST_SECONDS from a click of another
    link of the same message."""
    by_delivery: dict[int, list[tuple[str, str, float]]] = {}
    for click in clicks:
        by_delivery.setdefault(click.delivery_id, []).append((click.event_id, click.url, click.at))
    for _, event_id, delivery_id, url, at, _ in earlier:
        by_delivery.setdefault(delivery_id, []).append((event_id, url, at))
    found = set()
    for fetches in by_delivery.values():
        fetches.sort(key=lambda fetch: fetch[2])
        for index, (first, first_url, first_at) in enumerate(fetches):
            for second, second_url, second_at in fetches[index + 1:]:
                if second_at - first_at >= BURST_SECONDS:
                    break
                if second_url != first_url:
                    found.update((first, second))
    return found
