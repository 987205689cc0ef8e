"""The send report from a real ledger, on SQLite and PostgreSQL: every kind of event counted as
distinct deliveries, and the recipient domains."""

import pytest

from newsletter.db import transaction
from newsletter.errors import NotFoundError
from newsletter.reports import send_report
from tests.conftest import make_settings
from tests.reports.helpers import EXPECTED, every_kind, report_events, sent_send


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url=database_url)


def test_every_kind_of_event_counts_each_delivery_once(settings):
    send_id = every_kind(settings)
    with transaction(settings.database_url) as session:
        report = send_report(session=session, send_id=send_id)
    assert report.model_dump(include=set(EXPECTED)) == EXPECTED
    # 1 complaint (the stranger's is tied to no delivery) of 3 delivered: far over 0.3%
    assert (report.complaint_base, report.complaint_level) == ("delivered", "over")
    assert report.complaint_rate == pytest.approx(1 / 3)
    assert [(d.domain, d.recipients, d.delivered, d.bounced) for d in report.domains] == [
        ("example.com", 2, 1, 0), ("example.net", 2, 0, 2), ("example.org", 2, 2, 0)]
    assert report.other_domains is None


def test_the_top_ten_domains_by_recipients_then_the_others_together(settings):
    # gmail.com 5, yahoo.com 4 (written in capitals once), then 11 domains of one recipient
    # each: the first 8 by name are listed, the last 3 (and their outcomes) are "other"
    emails = [f"g{n}@gmail.com" for n in range(5)] + [f"y{n}@{'Yahoo.COM' if n == 0 else 'yahoo.com'}" for n in range(4)]
    emails += [f"p@d{n:02}.example" for n in range(11)]
    send_id, deliveries = sent_send(settings, emails)
    report_events(settings, deliveries,
                  *[("delivered", f"g{n}@gmail.com") for n in range(4)], ("bounced", "g4@gmail.com", "hard"),
                  ("delivered", "y0@Yahoo.COM"), ("bounced", "y1@yahoo.com", "soft"),
                  ("delivered", "p@d00.example"), ("delivered", "p@d09.example"), ("bounced", "p@d10.example", "soft"),
                  ("bounced", "p@d10.example", "hard"))  # one delivery, bounced twice: counted once
    with transaction(settings.database_url) as session:
        report = send_report(session=session, send_id=send_id)
    assert [(d.domain, d.recipients, d.delivered, d.bounced) for d in report.domains] == [
        ("gmail.com", 5, 4, 1), ("yahoo.com", 4, 1, 1), ("d00.example", 1, 1, 0),
        *[(f"d0{n}.example", 1, 0, 0) for n in range(1, 8)]]
    assert report.other_domains.model_dump() == {"domain": "other", "recipients": 3, "delivered": 1, "bounced": 1}
    assert (report.bounced_hard, report.bounced_soft) == (2, 2)
    assert sum(d.recipients for d in report.domains) + report.other_domains.recipients == report.recipients == 20


def test_a_send_with_no_events_yet_and_a_send_that_does_not_exist(settings):
    send_id, _ = sent_send(settings, ["ana@example.org"])
    with transaction(settings.database_url) as session:
        report = send_report(session=session, send_id=send_id)
        assert (report.accepted, report.delivered, report.complaint_base, report.complaint_rate) == (1, 0, "accepted", 0.0)
        with pytest.raises(NotFoundError, match="no send 999"):
            send_report(session=session, send_id=999)
