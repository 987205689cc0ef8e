"""The send report's counts, read from the counts kept with the events (tracking/counts.py),
never from the ledger, and the send's progress (summed from its batch counters).

A send can have a million deliveries and the ledger millions of events: recounting them took
seconds per page. The totals are a send's few ``send_counts`` rows; delivered and bounced by
domain are ``send_domain_counts``. Recipients by domain are counted from the deliveries once
the send is frozen (its deliveries no longer change), kept in ``send_domain_counts`` and read
from there afterwards; until then (a send still freezing) they are counted on each read. The
domain is cut from the address as ``domain_of`` does (after the first @, lower case).
"""

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from newsletter.db.engine import dialect_insert
from newsletter.db.models import Delivery, Send, SendCount, SendDomainCount
from newsletter.reports.aggregate import TOP_DOMAINS, build_send_report
from newsletter.reports.engagement import click_report, open_report
from newsletter.reports.models import SendReport
from newsletter.sending import send_progress

# The report's names (reports/aggregate.py FATES) and the kept counts of recipients they read.
COUNTED = {"delivered": "unique_delivered", "deferred": "unique_deferred", "bounced_hard": "unique_bounced_hard",
           "bounced_soft": "unique_bounced_soft", "bounced": "unique_bounced", "dropped": "unique_dropped",
           "complained": "unique_complained", "unsubscribed": "unique_unsubscribed"}


def send_report(*, session: Session, send_id: int) -> SendReport:
    """Every delivery's fate in send ``send_id`` (NotFoundError for a send that does not exist)."""
    progress = send_progress(session=session, send_id=send_id)
    send = session.get_one(Send, send_id)
    domains, total = recipients_by_domain(session=session, send_id=send_id, limit=TOP_DOMAINS)
    return build_send_report(
        send_id=send_id, recipients=progress.total, accepted=progress.accepted, domains=domains,
        domain_recipients=total,
        ledger=outcomes_by_domain(session=session, send_id=send_id, domains=[name for name, _ in domains]),
        clicks=click_report(session=session, send=send), opens=open_report(session=session, send=send),
    )


def recipients_by_domain(*, session: Session, send_id: int, limit: int) -> tuple[list[tuple[str, int]], int]:
    """([(domain, recipients)] of the ``limit`` domains with most recipients, most first (then
    by name), and the recipients of all domains together: kept counts once the send is frozen
    (counted and kept at the first read after), else counted from the deliveries."""
    send = session.get(Send, send_id)
    recipients = SendDomainCount.recipients
    kept = session.execute(
        select(SendDomainCount.domain, recipients, func.sum(recipients).over())
        .where(SendDomainCount.send_id == send_id, recipients > 0)
        .order_by(recipients.desc(), SendDomainCount.domain).limit(limit)
    ).all()
    frozen = send is not None and send.frozen_at is not None
    if frozen and kept and int(kept[0][2]) == send.recipient_count:
        return [(name, count) for name, count, _ in kept], int(kept[0][2])
    domain = domain_of(session, Delivery.email).label("domain")
    count = func.count()
    rows = session.execute(
        select(domain, count).where(Delivery.send_id == send_id).group_by(domain).order_by(count.desc(), domain)
    ).all()
    if frozen and rows:
        keep_recipients(session, send_id, rows)
    return [(name, n) for name, n in rows[:limit]], sum(n for _, n in rows)


def keep_recipients(session: Session, send_id: int, rows: list[tuple[str, int]]) -> None:
    """Keep the recipients of each domain of a frozen send (setting them: the same count twice,
    by two readers at once, is still right)."""
    statement = dialect_insert(session, SendDomainCount.__table__)
    statement = statement.on_conflict_do_update(index_elements=["send_id", "domain"],
                                                set_={"recipients": statement.excluded.recipients})
    session.connection().execute(statement, [{"send_id": send_id, "domain": name, "recipients": n}
                                             for name, n in rows])


def outcomes_by_domain(*, session: Session, send_id: int, domains: list[str]) -> dict[str | None, dict[str, int]]:
    """{domain: {"delivered": n, "bounced": n}} for each of ``domains`` with any, and under None
    the send's other recipients together with every other name of COUNTED, all as kept counts
    of recipients (a delivery is in one domain: the groups add up to the send's totals)."""
    kept = dict(session.execute(select(SendCount.name, SendCount.n).where(
        SendCount.send_id == send_id, SendCount.name.in_(list(COUNTED.values())))).all())
    totals = {name: kept.get(counted, 0) for name, counted in COUNTED.items()}
    groups: dict[str | None, dict[str, int]] = {name: {"delivered": delivered, "bounced": bounced}
                                                for name, delivered, bounced in session.execute(
        select(SendDomainCount.domain, SendDomainCount.delivered, SendDomainCount.bounced)
        .where(SendDomainCount.send_id == send_id, SendDomainCount.domain.in_(domains)))}
    groups[None] = totals | {name: totals[name] - sum(group[name] for group in groups.values())
                             for name in ("delivered", "bounced")}
    return groups


def domain_of(session: Session, address: ColumnElement[str]) -> ColumnElement[str]:
    """The domain of ``address`` in SQL: after its first @, lower case. Only a quoted local
    part can hold another @ (all but unheard of); such an address would count under a wrong
    domain. PostgreSQL calls the position function strpos, SQLite instr."""
    position = func.strpos if session.get_bind().dialect.name == "postgresql" else func.instr
    return func.lower(func.substr(address, position(address, "@") + 1))
