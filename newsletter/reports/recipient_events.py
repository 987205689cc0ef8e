"""A send's events recipient by recipient, as CSV: for admins only (the report itself names
nobody, and editors see only it). Every cell goes through csv_safety: addresses, reasons and
links come from outside and must not become spreadsheet formulas."""

from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.csv_safety import SafeCsvWriter
from newsletter.db.models import DeliveryEvent, as_utc
from newsletter.sending import get_send

COLUMNS = ["email", "delivery_id", "event", "machine", "bounce", "status", "reason", "url", "occurred_at", "provider"]


def export_send_events(*, session: Session, send_id: int, out: TextIO) -> int:
    """Write the raw events of send ``send_id`` tied to a delivery, oldest first, as CSV to
    ``out``; how many rows (NotFoundError for an unknown send). Events past
    NEWSLETTER_EVENT_RETENTION_DAYS are gone: the report's counts keep what they added up to."""
    get_send(session=session, send_id=send_id)
    writer = SafeCsvWriter(out)
    writer.writerow(COLUMNS)
    e = DeliveryEvent
    rows = session.execute(
        select(e.email, e.delivery_id, e.kind, e.machine, e.bounce, e.status, e.reason, e.url, e.occurred_at, e.provider)
        .where(e.send_id == send_id, e.delivery_id.is_not(None)).order_by(e.occurred_at, e.id)
        .execution_options(yield_per=2000))
    count = 0
    for email, delivery_id, kind, machine, bounce, status, reason, url, occurred_at, provider in rows:
        writer.writerow([email, delivery_id, kind, "yes" if machine else "no", bounce, status, reason, url,
                         as_utc(occurred_at).isoformat(timespec="seconds"), provider])
        count += 1
    return count
