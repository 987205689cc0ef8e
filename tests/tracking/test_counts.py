"""The kept counts of each send (tracking/counts.py) against a recount of the ledger, on SQLite
and PostgreSQL: events of every kind, repeated and out of order, clicks of people and machines
(a burst marked later), concurrent webhook POSTs, and the report read once the events are gone."""

import threading
from collections import Counter

import pytest
from sqlalchemy import delete, select

from newsletter.db import transaction
from newsletter.db.models import DeliveryEvent, SendCount, SendDomainCount, SendLink, SendLinkCount
from newsletter.reports import send_report
from newsletter.tracking.clicks import Click, record_clicks
from tests.conftest import make_settings
from tests.reports.helpers import EXPECTED, every_kind, report_events, sent_send
from tests.tracking.test_ledger import event
from tests.web.test_sendgrid_webhook import post, stack  # noqa: F401 (fixture)


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url=database_url)


def recount(url: str, send_id: int) -> tuple[dict, dict, dict]:
    """The send's counts as the ledger says: (send counts, link counts, domain counts), zeros left out."""
    with transaction(url) as session:
        rows = session.execute(select(DeliveryEvent).where(
            DeliveryEvent.send_id == send_id, DeliveryEvent.delivery_id.is_not(None))).scalars().all()
        links = {url: link for link, url in session.execute(
            select(SendLink.link_id, SendLink.url).where(SendLink.send_id == send_id))}
    sends, firsts, by_link, by_domain = Counter(), {}, {}, {}
    for row in rows:
        if row.kind == "queued":
            continue
        name = {"bounced": f"bounced_{'hard' if row.bounce == 'hard' else 'soft'}"}.get(row.kind, row.kind)
        if row.kind in ("opened", "clicked"):
            name += "_machine" if row.machine else "_human"
        sends[name] += 1
        for what in {row.kind, name} - {f"{row.kind}_machine"}:
            firsts.setdefault(what, set()).add(row.delivery_id)
        if row.kind == "clicked" and row.url in links:
            counts = by_link.setdefault(links[row.url], [0, 0, set()])
            counts[1 if row.machine else 0] += 1
            if not row.machine:
                counts[2].add(row.delivery_id)
        if row.kind in ("delivered", "bounced"):
            by_domain.setdefault(row.email.partition("@")[2].lower(), [set(), set()])[row.kind == "bounced"].add(
                row.delivery_id)
    sends.update({f"unique_{what}": len(ids) for what, ids in firsts.items()})
    return (dict(sends), {link: (h, m, len(people)) for link, (h, m, people) in by_link.items()},
            {name: (len(d), len(b)) for name, (d, b) in by_domain.items()})


def kept(url: str, send_id: int) -> tuple[dict, dict, dict]:
    with transaction(url) as session:
        sends = dict(session.execute(select(SendCount.name, SendCount.n).where(SendCount.send_id == send_id,
                                                                               SendCount.n != 0)).all())
        links = {row.link_id: (row.human_clicks, row.machine_clicks, row.human_clickers) for row in session.scalars(
            select(SendLinkCount).where(SendLinkCount.send_id == send_id))}
        domains = {row.domain: (row.delivered, row.bounced) for row in session.scalars(
            select(SendDomainCount).where(SendDomainCount.send_id == send_id)) if row.delivered or row.bounced}
    return sends, {k: v for k, v in links.items() if any(v)}, domains


def test_counts_equal_a_recount_of_the_ledger_after_every_kind_repeated_and_out_of_order(settings):
    send_id = every_kind(settings)  # repeats of a kind for one person, a stranger's events
    _, deliveries = sent_send(settings, ["zed@Example.ORG"], list_name="other")
    url = settings.database_url
    # out of order (clicks and an open before their delivered), machines' and people's
    report_events(settings, deliveries, ("clicked", "zed@Example.ORG"), ("opened", "zed@Example.ORG"),
                  ("delivered", "zed@Example.ORG"), ("bounced", "zed@Example.ORG", "soft"))
    assert kept(url, send_id) == recount(url, send_id)
    sends, _, domains = kept(url, send_id)
    assert (sends["unique_delivered"], sends["delivered"], sends["unique_deferred"], sends["deferred"]) == (3, 4, 2, 3)
    assert domains == {"example.org": (2, 0), "example.net": (0, 2), "example.com": (1, 0)}
    other = deliveries["zed@Example.ORG"].send_id
    assert kept(url, other) == recount(url, other)
    assert kept(url, other)[2] == {"example.org": (1, 1)}


def test_clicks_by_link_people_and_machines_and_a_burst_marked_later(settings):
    from tests.tracking.click_helpers import accepted_ago, send_issue

    sent = send_issue(settings)
    url = settings.database_url
    accepted_ago(url, 3600)
    with transaction(url) as session:
        links = dict(session.execute(select(SendLink.link_id, SendLink.url).where(SendLink.send_id == sent.send_id)).all())
    ana, bo = sent.deliveries["ana@example.org"], sent.deliveries["bo@example.org"]
    now = 2_000_000_000.0

    def click(n, delivery, link, at, head=False):
        return Click(f"c{n}", sent.send_id, link, links[link], delivery, at, head, False)

    with transaction(url) as session:  # ana: link 1 twice, link 2 by HEAD (a machine); bo: link 1
        record_clicks(session=session, settings=settings, clicks=[
            click(1, ana, 1, now), click(2, ana, 1, now + 60), click(3, ana, 2, now + 120, head=True),
            click(4, bo, 1, now)])
    assert kept(url, sent.send_id)[1] == {1: (3, 0, 2), 2: (0, 1, 0)}
    with transaction(url) as session:  # bo's next click, of another link within a second: both a burst
        record_clicks(session=session, settings=settings, clicks=[click(5, bo, 3, now + 0.5)])
    sends, by_link, _ = kept(url, sent.send_id)
    assert by_link == {1: (2, 1, 1), 2: (0, 1, 0), 3: (0, 1, 0)}  # bo is no longer a human clicker
    assert (sends["clicked_human"], sends["clicked_machine"], sends["unique_clicked_human"]) == (2, 3, 1)
    assert kept(url, sent.send_id) == recount(url, sent.send_id)
    with transaction(url) as session:  # bo clicks as a person later: a human clicker again
        record_clicks(session=session, settings=settings, clicks=[click(6, bo, 1, now + 600)])
    assert kept(url, sent.send_id) == recount(url, sent.send_id)
    assert kept(url, sent.send_id)[1][1] == (3, 1, 2)


def test_the_report_reads_the_kept_counts_not_the_ledger(settings):
    send_id = every_kind(settings)
    with transaction(settings.database_url) as session:
        before = send_report(session=session, send_id=send_id)
        session.execute(delete(DeliveryEvent))  # retention, say
    with transaction(settings.database_url) as session:
        after = send_report(session=session, send_id=send_id)
    fates = {"clicks", "opens"}  # what readers did: issue 15's, from the counts too when it is done
    assert after.model_dump(exclude=fates) == before.model_dump(exclude=fates)
    assert after.model_dump(include=set(EXPECTED)) == EXPECTED
    assert [(d.domain, d.recipients, d.delivered, d.bounced) for d in after.domains] == [
        ("example.com", 2, 1, 0), ("example.net", 2, 0, 2), ("example.org", 2, 2, 0)]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # concurrent writers: PostgreSQL
def test_concurrent_webhook_posts_count_exactly(stack):  # noqa: F811
    settings, fake = stack
    people = [f"p{n}@example.org" for n in range(40)]
    send_id, deliveries = sent_send(settings, people)
    kinds = ["delivered", "open", "deferred", "click"]
    # six POSTs at once: three events of each kind for each person, each event posted twice (in
    # the same order, as SendGrid retries a POST: the same events in opposite orders can
    # deadlock on the ledger's unique key, and PostgreSQL then fails one POST for SendGrid to retry)
    bodies = [[event(kind, deliveries[p], f"{kind}-{p}-{n % 3}") for p in people for kind in kinds] for n in range(6)]
    answers = []
    threads = [threading.Thread(target=lambda b=b: answers.append(post(settings, fake, b))) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 6
    assert sum(a.json()["recorded"] for a in answers) == 3 * len(bodies[0])
    sends, _, domains = kept(settings.database_url, send_id)
    assert kept(settings.database_url, send_id) == recount(settings.database_url, send_id)
    assert (sends["delivered"], sends["unique_delivered"], sends["clicked_human"], sends["unique_clicked_human"]) == (
        120, 40, 120, 40)
    assert domains == {"example.org": (40, 0)}
