"""The event ledger over real HTTP: SendGrid's signed webhook, every event type, repeats,
events out of order or about deliveries we do not know, and the suppressions they cause."""

import time

import pytest
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Delivery, DeliveryEvent, Subscriber
from newsletter.errors import SendStateError
from newsletter.providers import SendGridProvider
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.tracking import lift_suppression, list_suppressions
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)
from tests.web.test_sendgrid_webhook import post, stack  # noqa: F401 (fixture)

PEOPLE = ["ana@example.org", "bo@example.org", "cy@example.org"]


@pytest.fixture
def sent(stack, issue_id):  # noqa: F811
    """A send to three people through the fake SendGrid: (settings, fake, {email: delivery})."""
    settings, fake = stack
    add_people(settings.database_url, "weekly", PEOPLE)
    send_id, _ = freeze(settings, issue_id)
    fake.script.clear()  # accept at once, and post no events of its own
    fake.webhook_url = None
    with transaction(settings.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    assert send_batch(settings=settings, provider=SendGridProvider(settings), batch_id=batch_id).status == "done"
    with transaction(settings.database_url) as session:
        deliveries = {d.email: d for d in session.scalars(select(Delivery))}
    return settings, fake, deliveries


def event(kind, delivery, n, **extra):
    return {"event": kind, "email": delivery.email, "sg_event_id": f"ev-{n}", "timestamp": int(time.time()),
            "sg_message_id": f"{delivery.provider_message_id}.filter1", "nl_send": str(delivery.send_id),
            "nl_delivery": str(delivery.id), **extra}


def ledger(url):
    with transaction(url) as session:
        return session.execute(select(DeliveryEvent.kind, DeliveryEvent.bounce, DeliveryEvent.email,
                                      DeliveryEvent.delivery_id).order_by(DeliveryEvent.id)).all()


def statuses(url):
    with transaction(url) as session:
        return dict(session.execute(select(Subscriber.email, Subscriber.status)).all())


def test_every_event_type_is_recorded_once_with_its_delivery(sent):
    settings, fake, d = sent
    ana, bo, cy = (d[p] for p in PEOPLE)
    events = [
        event("open", ana, 1, sg_machine_open=True),  # out of order: the open before its delivery
        event("processed", ana, 2), event("delivered", ana, 3),
        event("click", ana, 4, url="https://example.org/story"),
        event("deferred", bo, 5, response="451 try later", attempt="1"),
        event("bounce", bo, 6, type="blocked", reason="mailbox full", status="4.2.2"),
        event("dropped", cy, 7, reason="Bounced Address"),
        event("group_unsubscribe", ana, 8, asm_group_id=1),
    ]
    answer = post(settings, fake, events)
    assert answer.status_code == 200 and answer.json()["recorded"] == 8
    assert post(settings, fake, events).json() == {  # SendGrid posts it all again: nothing changes
        "recorded": 0, "repeated": 8, "confirmed_batches": 0, "suppressed_addresses": 0}
    rows = ledger(settings.database_url)
    assert [(kind, bounce, email) for kind, bounce, email, _ in rows] == [
        ("opened", None, ana.email), ("queued", None, ana.email), ("delivered", None, ana.email),
        ("clicked", None, ana.email), ("deferred", None, bo.email), ("bounced", "soft", bo.email),
        ("dropped", None, cy.email), ("unsubscribed", None, ana.email),
    ]
    assert {delivery for *_, delivery in rows} == {ana.id, bo.id, cy.id}
    with transaction(settings.database_url) as session:
        click = session.scalar(select(DeliveryEvent).where(DeliveryEvent.kind == "clicked"))
        machine = session.scalar(select(DeliveryEvent.machine).where(DeliveryEvent.kind == "opened"))
        dropped = session.get_one(Delivery, cy.id)
    assert click.url == "https://example.org/story" and click.raw["url"] == click.url and machine is True
    assert (dropped.status, dropped.error) == ("failed", "dropped by the provider: Bounced Address")
    assert statuses(settings.database_url) == {ana.email: "unsubscribed", bo.email: "active", cy.email: "active"}


def test_events_about_deliveries_we_do_not_know_are_kept_without_them(sent):
    settings, fake, d = sent
    stranger = {"event": "delivered", "email": "stranger@example.org", "sg_event_id": "x1", "nl_delivery": "99999"}
    wrong_owner = event("bounce", d["bo@example.org"], 2, type="bounce")
    wrong_owner["email"] = "ana@example.org"  # ids that belong to someone else: not trusted
    assert post(settings, fake, [stranger, wrong_owner]).json()["recorded"] == 2
    rows = ledger(settings.database_url)
    assert sorted((kind, email, delivery) for kind, _, email, delivery in rows) == [
        ("bounced", "ana@example.org", None), ("delivered", "stranger@example.org", None)]
    assert statuses(settings.database_url)["ana@example.org"] == "bounced"  # by her own address


def test_soft_bounces_suppress_once_they_reach_the_limit(sent):
    settings, fake, d = sent
    bo = d["bo@example.org"]
    for n in range(1, settings.soft_bounce_limit):
        post(settings, fake, [event("bounce", bo, n, type="blocked", reason="mailbox full")])
    assert statuses(settings.database_url)["bo@example.org"] == "active"
    answer = post(settings, fake, [event("bounce", bo, 100, type="blocked", reason="mailbox full")])
    assert answer.json()["suppressed_addresses"] == 1
    assert statuses(settings.database_url)["bo@example.org"] == "bounced"


def test_a_hard_bounce_is_listed_with_its_cause_and_an_admin_can_lift_it(sent):
    settings, fake, d = sent
    post(settings, fake, [event("bounce", d["bo@example.org"], 1, type="bounce", status="5.1.1",
                                reason="550 5.1.1 no such user"),
                          event("spamreport", d["cy@example.org"], 2)])
    with transaction(settings.database_url) as session:
        listed = {(s.email, s.reason, s.event_kind) for s in list_suppressions(session=session)}
        detail = next(s.detail for s in list_suppressions(session=session) if s.reason == "bounced")
    assert listed == {("bo@example.org", "bounced", "bounced"), ("cy@example.org", "complained", "complained")}
    assert "hard bounce" in detail and "5.1.1" in detail
    with transaction(settings.database_url) as session:
        lift_suppression(session=session, email="BO@example.org", by="admin@example.org")
    with pytest.raises(SendStateError, match="only they can undo"), transaction(settings.database_url) as session:
        lift_suppression(session=session, email="cy@example.org", by="admin@example.org")
    assert statuses(settings.database_url)["bo@example.org"] == "active"
    with transaction(settings.database_url) as session:
        assert [s.email for s in list_suppressions(session=session)] == ["cy@example.org"]
        lifted = [s for s in list_suppressions(session=session, include_lifted=True) if s.lifted_at]
        assert [(s.email, s.lifted_by) for s in lifted] == [("bo@example.org", "admin@example.org")]
        assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == 2
