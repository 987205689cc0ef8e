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

import bisect
import datetime as dt
import ipaddress
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import one_of
from newsletter.db.models import Delivery
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
    networks = machine_networks(str(settings.machine_open_networks or DEFAULT_NETWORKS))
    return Open(f"open-{uuid.uuid4().hex}", send_id, delivery_id, dt.datetime.now(dt.UTC).timestamp(),
                networks.contains(client))


class NetworkSet:
    """Networks to look addresses up in, in O(log n): a few hundred thousand prefixes (Apple's
    egress list) are merged into sorted ranges of integers, one list per IP version."""

    def __init__(self, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]):
        self._starts: dict[int, list[int]] = {4: [], 6: []}
        self._ends: dict[int, list[int]] = {4: [], 6: []}
        for network in sorted(networks, key=lambda n: (n.version, int(n.network_address))):
            start, end = int(network.network_address), int(network.broadcast_address)
            starts, ends = self._starts[network.version], self._ends[network.version]
            if ends and start <= ends[-1] + 1:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)

    def contains(self, client: str | None) -> bool:
        """Whether ``client`` (an IP address, or anything else: False) is in one of the networks."""
        try:
            address = ipaddress.ip_address(client or "")
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        number, starts = int(address), self._starts[address.version]
        index = bisect.bisect_right(starts, number) - 1
        return index >= 0 and number <= self._ends[address.version][index]


@lru_cache(maxsize=4)
def machine_networks(path: str) -> NetworkSet:
    """The networks listed in ``path`` (read once per process): a CIDR per line, or rows of
    Apple's egress CSV; comments and blank lines skipped; a line that is no network is refused."""
    networks = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        text = line.split("#", 1)[0].split(",", 1)[0].strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"{path}, line {number}: {text!r} is not a network (write it as 17.0.0.0/8)") from None
    return NetworkSet(networks)


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
