"""Nobody who left comes back unless they confirm it themselves: not through an import, not
through an admin adding them, not through a stranger typing their address, not through a
forwarded preferences link. Their own confirmation link does bring them back."""

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import MailingList, Subscriber, Subscription
from newsletter.errors import ContentError
from newsletter.subscribers import create_list, get_list, import_subscribers
from newsletter.subscribers.consent import (
    confirm_subscription,
    get_preferences,
    request_subscription,
    update_preferences,
)
from newsletter.subscribers.membership import add_subscriber


@pytest.fixture
def url(database_url):
    with transaction(database_url) as session:
        create_list(session=session, name="weekly")
        create_list(session=session, name="monthly")
    return database_url


def person(url, email, status="active", **memberships):
    """A subscriber with ``status`` and a membership status per list name; their id."""
    with transaction(url) as session:
        subscriber = Subscriber(email=email, status=status, attributes={})
        session.add(subscriber)
        session.flush()
        for list_name, membership in memberships.items():
            session.add(Subscription(list_id=get_list(session=session, name=list_name).id,
                                     subscriber_id=subscriber.id, status=membership))
        return subscriber.id


def statuses(url, list_name="weekly"):
    """{email: (their membership of ``list_name`` or None, their own status)}."""
    with transaction(url) as session:
        list_id = get_list(session=session, name=list_name).id
        rows = session.execute(
            select(Subscriber.email, Subscription.status, Subscriber.status)
            .outerjoin(Subscription, (Subscription.subscriber_id == Subscriber.id) & (Subscription.list_id == list_id))
        )
        return {email: (membership, own) for email, membership, own in rows}


def left_the_list(url):
    """Everyone who left, in each way there is."""
    person(url, "ana@example.org", weekly="unsubscribed")
    person(url, "ben@example.org", "unsubscribed", monthly="confirmed")
    person(url, "cy@example.org", "bounced", weekly="pending")
    person(url, "dee@example.org", "complained")
    person(url, "fay@example.org", weekly="pending")


@pytest.mark.parametrize("confirmed", [True, False])
def test_an_import_never_brings_back_anyone_who_left(url, tmp_path, confirmed):
    left_the_list(url)
    before = statuses(url)
    path = tmp_path / "people.csv"
    path.write_text("email\nana@example.org\nBEN@example.org\ncy@example.org\ndee@example.org\n"
                    "eve@example.org\nfay@example.org\n")

    report = import_subscribers(database_url=url, path=path, list_name="weekly", confirmed=confirmed)

    after = statuses(url)
    for email in ("ana@example.org", "ben@example.org", "cy@example.org", "dee@example.org"):
        assert after[email] == before[email], email
    assert after["eve@example.org"] == ("confirmed" if confirmed else "pending", "active")
    assert after["fay@example.org"] == ("confirmed" if confirmed else "pending", "active")
    assert (report.rows, report.new_subscribers, report.new_subscriptions) == (6, 1, 1)
    assert report.confirmed == (1 if confirmed else 0)
    reasons = {row.line: (row.email, row.reason) for row in report.rejected}
    assert report.rejected_count == 4 and sorted(reasons) == [2, 3, 4, 5]
    assert reasons[2][0] == "ana@example.org" and reasons[2][1].startswith("unsubscribed from this list")
    assert reasons[3][0] == "ben@example.org" and reasons[3][1].startswith("unsubscribed from every list")
    assert reasons[4][1].startswith("their address bounced")
    assert reasons[5][1].startswith("they reported the newsletter as spam")
    assert all("only they can subscribe again" in reason for _, reason in reasons.values())


@pytest.mark.parametrize("confirmed", [True, False])
@pytest.mark.parametrize("email, why", [
    ("ana@example.org", "unsubscribed from this list"),
    ("ben@example.org", "unsubscribed from every list"),
    ("cy@example.org", "their address bounced"),
    ("dee@example.org", "they reported the newsletter as spam"),
])
def test_an_admin_cannot_add_back_anyone_who_left(url, email, why, confirmed):
    left_the_list(url)
    before = statuses(url)
    with transaction(url) as session, pytest.raises(ContentError) as refused:
        add_subscriber(session=session, email=email.upper(), name=None, list_name="weekly", confirmed=confirmed)
    assert str(refused.value) == f"{email} cannot be added: {why}; only they can subscribe again, by confirming it themselves"
    assert statuses(url) == before


def test_an_admin_still_adds_and_confirms_people_who_did_not_leave(url):
    left_the_list(url)
    with transaction(url) as session:
        assert add_subscriber(session=session, email="fay@example.org", name=None, list_name="weekly", confirmed=False) == "pending"
        assert add_subscriber(session=session, email="fay@example.org", name=None, list_name="weekly", confirmed=True) == "confirmed"
        assert add_subscriber(session=session, email="ana@example.org", name=None, list_name="monthly", confirmed=True) == "confirmed"
        assert add_subscriber(session=session, email="new@example.org", name="New", list_name="weekly", confirmed=False) == "pending"


def test_a_stranger_typing_an_address_changes_no_membership(url):
    left_the_list(url)
    before = statuses(url)
    for email in ("ana@example.org", "ben@example.org"):
        with transaction(url) as session:
            pending = request_subscription(session=session, email=email, name="Someone", list_name="weekly")
        assert pending is not None and pending.email == email  # they may be asked; only the link brings them back
    for email in ("cy@example.org", "dee@example.org"):
        with transaction(url) as session:
            assert request_subscription(session=session, email=email, name=None, list_name="weekly") is None
    after = statuses(url)
    assert after.pop("ben@example.org") == ("pending", "unsubscribed")  # a new list: pending, and no mail goes
    before.pop("ben@example.org")
    assert after == before


def test_their_own_confirmation_brings_them_back_to_that_list_only(url):
    ana = person(url, "ana@example.org", "unsubscribed", weekly="unsubscribed", monthly="confirmed")
    cy = person(url, "cy@example.org", "bounced", weekly="pending", monthly="confirmed")
    dee = person(url, "dee@example.org", "complained", weekly="unsubscribed", monthly="confirmed")
    with transaction(url) as session:
        weekly = get_list(session=session, name="weekly").id
    for subscriber_id in (ana, cy, dee):
        with transaction(url) as session:
            confirm_subscription(session=session, subscriber_id=subscriber_id, list_id=weekly)
    assert {e: s for e, s in statuses(url).items()} == {
        "ana@example.org": ("confirmed", "active"),
        "cy@example.org": ("confirmed", "active"),
        "dee@example.org": ("confirmed", "active"),
    }
    # Unsubscribing from everything and complaining withdrew consent to every list; a bounce did not.
    assert statuses(url, "monthly") == {
        "ana@example.org": ("unsubscribed", "active"),
        "cy@example.org": ("confirmed", "active"),
        "dee@example.org": ("unsubscribed", "active"),
    }


def test_preferences_offer_public_lists_and_the_persons_own_and_cannot_bring_them_back(url):
    with transaction(url) as session:
        session.add_all([MailingList(name="donors", public=False), MailingList(name="staff", public=False)])
    ana = person(url, "ana@example.org", weekly="unsubscribed", donors="confirmed")
    with transaction(url) as session:
        ids = {m.name: m.id for m in session.scalars(select(MailingList))}
        offered = {choice.mailing_list.name: (choice.subscribed, choice.left)
                   for choice in get_preferences(session=session, subscriber_id=ana).lists}
    assert offered == {"donors": (True, False), "monthly": (False, False), "weekly": (False, True)}

    with transaction(url) as session:  # a forwarded link, ticking everything
        update_preferences(session=session, subscriber_id=ana, name=None, language=None, list_ids=set(ids.values()))
    assert statuses(url)["ana@example.org"] == ("unsubscribed", "active")
    assert statuses(url, "staff")["ana@example.org"] == (None, "active")
    assert statuses(url, "monthly")["ana@example.org"] == ("confirmed", "active")
    assert statuses(url, "donors")["ana@example.org"] == ("confirmed", "active")


def test_preferences_cannot_bring_back_someone_who_unsubscribed_from_everything(url):
    ben = person(url, "ben@example.org", "unsubscribed", weekly="confirmed")
    with transaction(url) as session:
        offered = get_preferences(session=session, subscriber_id=ben).lists
        assert [(c.mailing_list.name, c.subscribed, c.left) for c in offered] == [
            ("monthly", False, True), ("weekly", False, True)]
        update_preferences(session=session, subscriber_id=ben, name="Ben", language="en",
                           list_ids={c.mailing_list.id for c in offered})
    assert statuses(url)["ben@example.org"] == ("confirmed", "unsubscribed")
    assert statuses(url, "monthly")["ben@example.org"] == (None, "unsubscribed")
