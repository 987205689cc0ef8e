"""Opens: a fetch of a send's 1x1 image, ``/o/<send>/<token>``, recorded as an ``opened`` event.

Open tracking is off unless a list turns it on (``lists.track_opens``), and never for a reader
who turned tracking off (sending/variants.py leaves the image out of their message). Opens are
an estimate: mail apps that block images never fetch it, and Apple Mail Privacy Protection
fetches every image of a message soon after it arrives, opened or not, through Apple's proxies.
Apple documents no user agent for them, so none is relied on: a fetch from a network in
NEWSLETTER_MACHINE_OPEN_NETWORKS (by default Apple's block; Apple's published relay egress list
can be pointed at) is marked ``machine``, as SendGrid's own open events are when it says
``sg_machine_open``. Reports count people's opens and say how many machines' were left out.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import one_of
from newsletter.db.models import Delivery
from newsletter.networks import in_networks
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.tracking.ledger import LedgerReport, record_events

DEFAULT_NETWORKS = Path(__file__).parent / "data" / "machine_open_networks.txt"


@dataclass(frozen=True)
class Open:
    """One fetch of the open image whose token named a delivery."""

    event_id: str  # unique per request: recorded once, however often it is drained
    send_id: int
    delivery_id: int
    at: float  # Unix time of the request
    proxy: bool  # from a network of NEWSLETTER_MACHINE_OPEN_NETWORKS


def new_open(*, settings: Settings, send_id: int, delivery_id: int, client: str | None) -> Open:
    """The open of a request just received, with its own event id."""
    return Open(f"open-{uuid.uuid4().hex}", send_id, delivery_id, dt.datetime.now(dt.UTC).timestamp(),
                in_networks(settings.machine_open_networks or DEFAULT_NETWORKS, client))


def record_opens(*, session: Session, settings: Settings, opens: list[Open]) -> LedgerReport:
    """Record ``opens`` in the ledger, machines' marked; an open recorded before is not again.
    Opens of a delivery that no longer exists, or of another send than the token's, are dropped."""
    ids = sorted({o.delivery_id for o in opens})
    if not ids:
        return LedgerReport(0, 0)
    deliveries = {row.id: row for row in session.execute(
        select(Delivery.id, Delivery.send_id, Delivery.email).where(one_of(session, Delivery.id, ids)))}
    events = [
        ProviderEvent(EventKind.OPENED, deliveries[o.delivery_id].email, o.send_id, None, o.delivery_id, None,
                      event_id=o.event_id, provider="web", occurred_at=dt.datetime.fromtimestamp(o.at, dt.UTC),
                      machine=o.proxy, raw={"signals": ["proxy-network"] if o.proxy else []})
        for o in opens if o.delivery_id in deliveries and deliveries[o.delivery_id].send_id == o.send_id
    ]
    return record_events(session=session, settings=settings, events=events)
