"""Networks whose requests are machines': a file of CIDRs (or rows of Apple's egress CSV), read
once per process into a set that answers "is this address in one of them?" in O(log n). Opens
(tracking/opens.py) and clicks (tracking/clicks.py) each name their own file in the settings,
which read it when they load, so a file that cannot be used stops the service from starting."""

import bisect
import ipaddress
import logging
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

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


def in_networks(path: Path | None, client: str | None) -> bool:
    """Whether ``client`` (an IP address) is in a network listed in the file ``path`` (None: no
    file). A file gone unreadable since the settings read it counts as no network, logged: a
    reader following a link must never get an error for it."""
    if path is None:
        return False
    try:
        return machine_networks(str(path)).contains(client)
    except (OSError, ValueError) as err:
        logger.warning("the networks file %s cannot be used, so no request is taken for a machine's by it: %s",
                       path, err)
        return False


def checked_networks_file(path: Path | None) -> Path | None:
    """``path`` if it is a usable networks file (or None); ValueError naming what is wrong."""
    if path is not None:
        try:
            machine_networks(str(path))
        except OSError as err:
            raise ValueError(f"cannot read {path}: {err.strerror or err}") from None
    return path
