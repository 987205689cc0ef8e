"""The report's rules on plain numbers: the complaint rate's base and levels at their exact
boundaries, and what the "other" domains hold."""

import pytest

from newsletter.reports import build_send_report, complaint_level


@pytest.mark.parametrize(("complaints", "base", "level"), [
    (0, 0, "ok"),  # nothing delivered or accepted yet
    (0, 1_000, "ok"),
    (1, 1_001, "ok"),  # 0.0999%
    (1, 1_000, "warning"),  # 0.1% exactly
    (2, 1_000, "warning"),
    (29, 10_000, "warning"),  # 0.29%
    (2_999, 1_000_000, "warning"),  # 0.2999%
    (3, 1_000, "over"),  # 0.3% exactly: Gmail's and Yahoo's limit
    (3_000, 1_000_000, "over"),
    (1, 3, "over"),
])
def test_complaint_levels_start_at_a_tenth_and_three_tenths_of_a_percent(complaints, base, level):
    assert complaint_level(complaints, base) == level


def report(**counted):
    return build_send_report(send_id=1, recipients=2_000, accepted=2_000, domains=[], domain_recipients=0,
                             ledger={None: counted})


def test_the_rate_is_of_delivered_messages_or_of_accepted_ones_while_none_is_reported_delivered():
    delivered = report(delivered=1_000, complained=1)
    assert (delivered.complaint_base, delivered.complaint_rate, delivered.complaint_level) == ("delivered", 0.001, "warning")
    accepted = report(complained=1)  # an SMTP relay reports no deliveries: 1 in the 2,000 accepted
    assert (accepted.complaint_base, accepted.complaint_rate, accepted.complaint_level) == ("accepted", 0.0005, "ok")
    assert report().complaint_rate == 0.0
    nothing = build_send_report(send_id=1, recipients=5, accepted=0, domains=[], domain_recipients=5, ledger={})
    assert (nothing.complaint_rate, nothing.complaint_level) == (None, "ok")


def test_the_ledger_kinds_get_the_reports_names():
    shown = report(delivered=9, deferred=8, bounced_hard=7, bounced_soft=6, bounced=12, dropped=5, complained=4,
                   unsubscribed=3)
    assert shown.model_dump(include={"delivered", "deferred", "bounced_hard", "bounced_soft", "dropped",
                                     "complaints", "unsubscribes"}) == {
        "delivered": 9, "deferred": 8, "bounced_hard": 7, "bounced_soft": 6, "dropped": 5, "complaints": 4,
        "unsubscribes": 3}


def test_the_sends_figures_are_the_domain_groups_sums_and_other_holds_the_rest():
    shown = build_send_report(
        send_id=1, recipients=10, accepted=10, domains=[("gmail.com", 6), ("yahoo.com", 3)], domain_recipients=10,
        ledger={"gmail.com": {"delivered": 5, "bounced_hard": 1, "bounced_soft": 1, "bounced": 1, "complained": 1},
                None: {"delivered": 1, "bounced_soft": 1, "bounced": 1}})
    assert [(d.domain, d.recipients, d.delivered, d.bounced) for d in shown.domains] == [
        ("gmail.com", 6, 5, 1), ("yahoo.com", 3, 0, 0)]  # one delivery bounced soft, then hard: bounced once
    assert shown.other_domains.model_dump() == {"domain": "other", "recipients": 1, "delivered": 1, "bounced": 1}
    assert (shown.delivered, shown.bounced_hard, shown.bounced_soft, shown.complaints) == (6, 1, 2, 1)
    assert (shown.complaint_rate, shown.complaint_level) == (1 / 6, "over")
    every = build_send_report(send_id=1, recipients=9, accepted=9, domains=[("gmail.com", 9)], domain_recipients=9,
                              ledger={})
    assert every.other_domains is None
