"""The send report from counts already made: no database here, so every rule (which base the
complaint rate has, where its levels start, what "other" holds) is tested on plain numbers."""

from collections.abc import Mapping
from fractions import Fraction

from newsletter.reports.models import ClickReport, DomainRow, Level, OpenReport, SendReport

# Gmail and Yahoo refuse or junk bulk mail whose spam-complaint rate reaches 0.3%, and ask
# senders to stay under 0.1%. Fractions, so that 1 in 1,000 is exactly at the line.
WARNING_RATE = Fraction(1, 1000)
LIMIT_RATE = Fraction(3, 1000)
TOP_DOMAINS = 10

# The ledger's kinds as the report names them (a bounce is split into hard and soft).
FATES = {"delivered": "delivered", "deferred": "deferred", "bounced_hard": "bounced_hard",
         "bounced_soft": "bounced_soft", "dropped": "dropped", "complained": "complaints",
         "unsubscribed": "unsubscribes"}


def complaint_level(complaints: int, base: int) -> Level:
    """"ok" under 0.1% of ``base``, "warning" from 0.1%, "over" from 0.3% (Gmail's and Yahoo's
    limit); "ok" when there is no base yet."""
    if base <= 0:
        return "ok"
    rate = Fraction(complaints, base)
    return "over" if rate >= LIMIT_RATE else "warning" if rate >= WARNING_RATE else "ok"


def build_send_report(
    *,
    send_id: int,
    recipients: int,
    accepted: int,
    domains: list[tuple[str, int]],
    domain_recipients: int,
    ledger: Mapping[str | None, Mapping[str, int]],
    clicks: ClickReport | None = None,
    opens: OpenReport | None = None,
) -> SendReport:
    """The report of a send.

    ``domains``: (domain, recipients) of the top domains, most first; ``domain_recipients``:
    the recipients of every domain together. ``ledger``: for each top domain, and under None
    for all the others together, the distinct deliveries with an event of each ledger kind
    (``bounced_hard`` and ``bounced_soft`` for bounces, and ``bounced`` for either). A
    delivery has one address, so it is in one group: the send's figures are the groups' sums.

    The complaint rate is complaints / delivered: the people whose mailbox took the message are
    the ones who can complain, and it is the figure Gmail and Yahoo measure. A provider that
    reports no deliveries (SMTP, the file outbox) leaves delivered at 0; the rate is then
    complaints / accepted, and ``complaint_base`` says which. The click and open rates
    (``clicks``, ``opens``: none tracked when not given) are shares of the same base.
    """
    clicks, opens = clicks or NO_CLICKS, opens or NO_OPENS
    counts = {field: sum(group.get(kind, 0) for group in ledger.values()) for kind, field in FATES.items()}
    base_name = "delivered" if counts["delivered"] else "accepted"
    base = counts["delivered"] or accepted
    rows = [_domain_row(name, count, ledger.get(name, {})) for name, count in domains]
    other_recipients = domain_recipients - sum(row.recipients for row in rows)
    other = _domain_row("other", other_recipients, ledger.get(None, {})) if other_recipients > 0 else None
    return SendReport(
        send_id=send_id, recipients=recipients, accepted=accepted, **counts,
        complaint_rate=counts["complaints"] / base if base else None, complaint_base=base_name,
        complaint_level=complaint_level(counts["complaints"], base),
        complaint_warning=float(WARNING_RATE), complaint_limit=float(LIMIT_RATE),
        domains=rows, other_domains=other,
        clicks=clicks.model_copy(update={"click_rate": _share(clicks.human_clickers, base)}),
        opens=opens.model_copy(update={"open_rate": _share(opens.human_openers, base)}),
    )


NO_CLICKS = ClickReport(tracked=False, human_clickers=0, click_rate=None, human_clicks=0, machine_clicks_filtered=0,
                        by_hour=[], items=[])
NO_OPENS = OpenReport(tracked=False, human_openers=0, open_rate=None, machine_opens_filtered=0)


def _share(part: int, base: int) -> float | None:
    return part / base if base else None


def _domain_row(domain: str, recipients: int, outcomes: Mapping[str, int]) -> DomainRow:
    return DomainRow(domain=domain, recipients=recipients, delivered=outcomes.get("delivered", 0),
                     bounced=outcomes.get("bounced", 0))
