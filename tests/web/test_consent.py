"""Consent over real HTTP: an unsubscribe that strangers, imports and admins cannot undo, the
per-address limit on confirmation emails, the list's own pitch, and the lists a subscriber's
preferences page offers."""

import httpx
import lxml.html
import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import MailingList, Subscriber, Subscription
from newsletter.links import Links
from tests.cli import cli_env, ok, run_cli
from tests.conftest import make_settings
from tests.web.conftest import LiveServer, free_port, start_server
from tests.web.test_subscriber_pages import (
    confirm_link,
    send_issue_to,
    status_of,
    subscribe,
    title_of,
)

ONE_CLICK = {"content": "List-Unsubscribe=One-Click", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def recipients(server, send_id):
    return {m["To"].addresses[0].addr_spec for m in server.outbox(f"send-{send_id}")}


def test_an_unsubscribe_survives_a_stranger_and_an_import_and_only_the_person_undoes_it(live_server, tmp_path):
    first = send_issue_to(live_server, ["ana@example.org"])
    [message] = live_server.outbox(f"send-{first}")
    live_server.client.post(message["List-Unsubscribe"].strip("<>"), **ONE_CLICK)
    assert status_of(live_server, "ana@example.org") == "unsubscribed"

    stranger = subscribe(live_server, "Ana@Example.org")
    assert stranger.status_code == 200 and title_of(stranger) == "Check your inbox"
    assert status_of(live_server, "ana@example.org") == "unsubscribed"

    people = tmp_path / "people.csv"
    people.write_text("email\nana@example.org\nben@example.org\n")
    env = cli_env(tmp_path, database_url=live_server.settings.database_url)
    report = ok(run_cli("subscribers", "import", str(people), "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    assert "line 2: ana@example.org: unsubscribed from this list; only they can subscribe again" in " ".join(report.split())
    assert status_of(live_server, "ana@example.org") == "unsubscribed"
    assert recipients(live_server, send_issue_to(live_server, [])) == {"ben@example.org"}

    # The email the stranger's request sent reaches Ana; her own click is what brings her back.
    done = live_server.client.post(confirm_link(live_server.outbox()[0]))
    assert title_of(done) == "You are subscribed"
    assert status_of(live_server, "ana@example.org") == "confirmed"
    assert recipients(live_server, send_issue_to(live_server, [])) == {"ana@example.org", "ben@example.org"}


@pytest.mark.parametrize("suppression", ["bounced", "complained"])
def test_a_confirm_link_the_person_clicks_lifts_a_bounce_or_complaint(live_server, suppression):
    with transaction(live_server.settings.database_url) as session:
        subscriber = Subscriber(email="cy@example.org", status=suppression, attributes={})
        session.add(subscriber)
        session.flush()
        session.add(Subscription(list_id=1, subscriber_id=subscriber.id, status="pending"))
    link = Links(live_server.settings).confirm_url(subscriber.id, 1)
    done = live_server.client.post(link)
    assert done.status_code == 200 and title_of(done) == "You are subscribed"
    assert status_of(live_server, "cy@example.org") == "confirmed"
    with transaction(live_server.settings.database_url) as session:
        assert session.scalar(select(Subscriber.status)) == "active"


def test_an_admin_adding_someone_who_unsubscribed_is_told_they_must_resubscribe(live_server, admin):
    send_issue_to(live_server, ["zoe@example.org"])
    admin.post("/admin/lists/weekly/unsubscribe", data={"csrf_token": admin.csrf, "email": "zoe@example.org"})
    refused = admin.post("/admin/lists/weekly/subscribers",
                         data={"csrf_token": admin.csrf, "email": "zoe@example.org", "confirmed": "yes"})
    assert refused.status_code == 422
    alert = lxml.html.document_fromstring(refused.text).xpath("//*[@id='add-error']")[0].text_content()
    assert "unsubscribed from this list" in alert and "only they can subscribe again" in alert
    api = admin.post("/api/lists/weekly/subscribers", headers={"X-CSRF-Token": admin.csrf},
                     json={"email": "zoe@example.org", "confirmed": True})
    assert api.status_code == 422 and "only they can subscribe again" in api.text
    assert status_of(live_server, "zoe@example.org") == "unsubscribed"


@pytest.fixture
def roomy_server(tmp_path, database_url):
    """A server whose per-IP limit is out of the way, with 2 confirmation emails per address."""
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             subscribe_rate_limit="100/minute", subscribe_address_rate_limit="2/hour")
    with transaction(database_url) as session:
        session.add(MailingList(name="weekly", title="The Weekly Brief",
                                description="Stories you may have <b>missed</b>.\n\nEvery Friday."))
        session.add(MailingList(name="donors", title="Donor news", public=False))
    server, thread = start_server(settings)
    with httpx.Client(base_url=settings.base_url, timeout=10) as client:
        yield LiveServer(settings.base_url, settings, client)
    server.should_exit = True
    thread.join(timeout=10)


def test_confirmation_emails_are_limited_per_address_and_the_answer_does_not_change(roomy_server):
    pages = [subscribe(roomy_server, typed) for typed in ("ana@example.org", "ANA@example.org", " ana@Example.org")]
    assert [p.status_code for p in pages] == [200, 200, 200]
    bodies = {p.text.replace(typed.strip(), "X") for p, typed in
              zip(pages, ("ana@example.org", "ANA@example.org", " ana@Example.org"))}
    assert len(bodies) == 1  # the third, over the limit, reads exactly like the first
    assert len(roomy_server.outbox()) == 2
    subscribe(roomy_server, "ben@example.org")
    assert [m["To"].addresses[0].addr_spec for m in roomy_server.outbox()][-1] == "ben@example.org"


def test_the_subscribe_page_pitches_the_list_in_its_own_words(roomy_server):
    doc = lxml.html.document_fromstring(roomy_server.client.get("/subscribe/weekly").text)
    assert [p.text_content() for p in doc.xpath("//p[@class='pitch']")] == [
        "Stories you may have <b>missed</b>.", "Every Friday."]
    assert "human rights" not in roomy_server.client.get("/subscribe/weekly").text
    plain = lxml.html.document_fromstring(roomy_server.client.get("/subscribe/donors").text)
    assert plain.findtext(".//h1") == "Subscribe to Donor news" and plain.xpath("//p[@class='pitch']") == []


def test_preferences_show_public_lists_and_the_persons_own_only(roomy_server):
    url = roomy_server.settings.database_url
    with transaction(url) as session:
        session.add(MailingList(name="staff", title="Staff only", public=False))
        ana = Subscriber(email="ana@example.org", status="active", attributes={})
        ben = Subscriber(email="ben@example.org", status="active", attributes={})
        session.add_all([ana, ben])
        session.flush()
        lists = {m.name: m.id for m in session.scalars(select(MailingList))}
        session.add(Subscription(list_id=lists["donors"], subscriber_id=ana.id, status="confirmed"))
    links = Links(roomy_server.settings)

    def offered(subscriber_id):
        page = lxml.html.document_fromstring(roomy_server.client.get(links.preferences_url(subscriber_id)).text)
        return sorted(page.xpath("//fieldset[legend='Lists']//label/text()"))

    assert offered(ana.id) == ["Donor news", "The Weekly Brief"]
    assert offered(ben.id) == ["The Weekly Brief"]
    saved = roomy_server.client.post(links.preferences_url(ben.id),
                                     data={"language": "", "lists": [str(lists["staff"]), str(lists["weekly"])]})
    assert "Your preferences are saved." in saved.text
    assert status_of(roomy_server, "ben@example.org", "weekly") == "confirmed"
    assert status_of(roomy_server, "ben@example.org", "staff") is None


def test_preferences_send_someone_who_left_a_list_to_the_subscribe_form(live_server):
    send_issue_to(live_server, ["ana@example.org"])
    [message] = live_server.outbox("send-1")
    live_server.client.post(message["List-Unsubscribe"].strip("<>"), **ONE_CLICK)
    with transaction(live_server.settings.database_url) as session:
        ana = session.scalar(select(Subscriber.id))
    url = Links(live_server.settings).preferences_url(ana)
    page = lxml.html.document_fromstring(live_server.client.get(url).text)
    assert page.xpath("//input[@name='lists']/@value") == ["2"]  # weekly-es; weekly is not a box to tick
    assert page.xpath("//a[text()='Subscribe again']/@href") == ["/subscribe/weekly"]
    live_server.client.post(url, data={"language": "", "lists": ["1", "2"]})
    assert status_of(live_server, "ana@example.org", "weekly") == "unsubscribed"
    assert status_of(live_server, "ana@example.org", "weekly-es") == "confirmed"
