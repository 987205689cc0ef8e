"""Subscribe -> confirm -> preferences -> unsubscribe over real HTTP."""

import re
import xml.etree.ElementTree as ET

import lxml.html
import pytest
from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import Subscriber, Subscription
from newsletter.editorial import save_issue
from newsletter.providers import FileProvider
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.tokens import Purpose, make_token
from tests.factories import issue
from tests.sending.helpers import freeze
from tests.subscribers.test_confirmation_queue import run_confirmations


def status_of(server, address, list_name="weekly"):
    from newsletter.db.models import MailingList

    with transaction(server.settings.database_url) as session:
        return session.scalar(
            select(Subscription.status).join(Subscriber).join(MailingList)
            .where(Subscriber.email == address, MailingList.name == list_name)
        )


def title_of(response):
    return lxml.html.document_fromstring(response.text).findtext(".//h1")


def subscribe(server, address, **extra):
    """Post the form, then do what the sweep and a worker do with the confirmation email it owes."""
    response = server.client.post("/subscribe/weekly", data={"email": address, "name": "Ana", **extra})
    run_confirmations(server.settings)
    return response


def confirm_link(message):
    text = message.get_body(("plain",)).get_content()
    return re.search(r"(http://\S+/confirm/\S+)", text).group(1)


def test_double_opt_in(live_server):
    response = subscribe(live_server, "Ana@Example.org")
    assert response.status_code == 200 and title_of(response) == "Check your inbox"
    assert status_of(live_server, "ana@example.org") == "pending"
    [message] = live_server.outbox()
    assert message["To"].addresses[0].addr_spec == "ana@example.org"
    assert message["Subject"] == "Confirm your subscription to The Weekly Brief"
    link = confirm_link(message)
    html_link = lxml.html.document_fromstring(message.get_body(("html",)).get_content()).xpath("//a/@href")
    assert link in html_link

    page = live_server.client.get(link)
    assert page.status_code == 200 and "Confirm my subscription" in page.text
    assert status_of(live_server, "ana@example.org") == "pending"  # a GET changes nothing
    done = live_server.client.post(link)
    assert title_of(done) == "You are subscribed"
    assert status_of(live_server, "ana@example.org") == "confirmed"
    assert live_server.client.post(link).status_code == 200  # confirming twice is harmless


def test_the_answer_does_not_reveal_whether_an_address_is_subscribed(live_server):
    subscribe(live_server, "known@example.org")
    live_server.client.post(confirm_link(live_server.outbox()[0]))
    known = subscribe(live_server, "known@example.org")
    new = subscribe(live_server, "new@example.org")
    assert known.status_code == new.status_code == 200
    assert known.text.replace("known@", "X@") == new.text.replace("new@", "X@")
    assert len(live_server.outbox()) == 2  # no second email to the confirmed address


def test_suppressed_addresses_get_the_same_page_and_no_email(live_server):
    with transaction(live_server.settings.database_url) as session:
        session.add(Subscriber(email="bounced@example.org", status="bounced", attributes={}))
    response = subscribe(live_server, "bounced@example.org")
    assert title_of(response) == "Check your inbox"
    assert live_server.outbox() == []


def test_the_honeypot_catches_robots(live_server):
    response = subscribe(live_server, "bot@example.org", website="http://spam.example")
    assert title_of(response) == "Check your inbox"
    assert status_of(live_server, "bot@example.org") is None and live_server.outbox() == []


def test_an_invalid_address_shows_the_form_again_with_the_error(live_server):
    response = subscribe(live_server, "not an address")
    assert response.status_code == 400
    doc = lxml.html.document_fromstring(response.text)
    assert doc.xpath("//input[@id='email']/@aria-invalid") == ["true"]
    assert "valid email address" in doc.xpath("//*[@role='alert']")[0].text_content()
    assert doc.xpath("//input[@id='email']/@value") == ["not an address"]


def test_the_form_is_rate_limited_per_address(live_server):
    codes = [subscribe(live_server, f"p{n}@example.org").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("path", ["/confirm/{t}", "/unsubscribe/{t}", "/preferences/{t}"])
def test_tampered_or_foreign_tokens_get_a_clear_400(live_server, path):
    secret = live_server.settings.secret_key
    tampered = make_token(secret, Purpose.UNSUBSCRIBE, 1, 1)[:-2] + "xx"
    other_purpose = make_token(secret, Purpose.CONFIRM if "unsub" in path else Purpose.UNSUBSCRIBE, 1, 1)
    for token in (tampered, other_purpose, "garbage"):
        for method in ("GET", "POST"):
            response = live_server.client.request(method, path.format(t=token))
            assert response.status_code == 400, (method, token)
            assert title_of(response) == "This link does not work"


def send_issue_to(server, addresses):
    url = server.settings.database_url
    with transaction(url) as session:
        for address in addresses:
            subscriber = Subscriber(email=address, status="active", attributes={})
            session.add(subscriber)
            session.flush()
            session.add(Subscription(list_id=1, subscriber_id=subscriber.id, status="confirmed"))
        issue_id = save_issue(session=session, content=issue(2, title="The Weekly <Brief>")).id
    send_id, _ = freeze(server.settings, issue_id)
    with transaction(url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch(settings=server.settings, provider=FileProvider(server.settings.outbox_dir), batch_id=batch_id)
    return send_id


def test_one_click_unsubscribe_from_a_sent_message(live_server):
    send_id = send_issue_to(live_server, ["ana@example.org", "ben@example.org"])
    messages = {m["To"].addresses[0].addr_spec: m for m in live_server.outbox(f"send-{send_id}")}
    url = messages["ana@example.org"]["List-Unsubscribe"].strip("<>")
    assert url.startswith(live_server.url + "/unsubscribe/")

    page = live_server.client.get(url)  # a link scanner following it
    assert page.status_code == 200 and status_of(live_server, "ana@example.org") == "confirmed"

    one_click = live_server.client.post(url, content="List-Unsubscribe=One-Click",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200
    assert status_of(live_server, "ana@example.org") == "unsubscribed"
    assert status_of(live_server, "ben@example.org") == "confirmed"
    again = live_server.client.post(url, content="List-Unsubscribe=One-Click",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert again.status_code == 200 and title_of(again) == "You are unsubscribed"

    next_send = send_issue_to(live_server, [])
    recipients = {m["To"].addresses[0].addr_spec for m in live_server.outbox(f"send-{next_send}")}
    assert recipients == {"ben@example.org"}


def test_every_message_leads_to_the_readers_preferences(live_server):
    send_id = send_issue_to(live_server, ["ana@example.org"])
    [message] = live_server.outbox(f"send-{send_id}")
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    [link] = re.findall(r'href="([^"]*/preferences)"[^>]*>Manage your preferences</a>', html)
    assert link == f"{unsubscribe_url}/preferences" and f"Manage your preferences: {link}" in text
    answer = live_server.client.get(link, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith(f"{live_server.url}/preferences/")
    page = live_server.client.get(answer.headers["location"])
    assert page.status_code == 200 and "ana@example.org" in page.text
    assert status_of(live_server, "ana@example.org") == "confirmed"  # following it changes nothing
    tampered = live_server.client.get(f"{unsubscribe_url[:-2]}xx/preferences", follow_redirects=False)
    assert tampered.status_code == 400


def test_preferences_change_name_language_and_lists(live_server):
    subscribe(live_server, "ana@example.org")
    live_server.client.post(confirm_link(live_server.outbox()[0]))
    with transaction(live_server.settings.database_url) as session:
        subscriber_id = session.scalar(select(Subscriber.id))
    url = f"/preferences/{make_token(live_server.settings.secret_key, Purpose.PREFERENCES, subscriber_id)}"
    page = lxml.html.document_fromstring(live_server.client.get(url).text)
    assert page.xpath("//input[@name='lists'][@checked]/@value") == ["1"]
    saved = live_server.client.post(url, data={"name": "Ana Lima", "language": "pt", "lists": ["2"]})
    assert "Your preferences are saved." in saved.text
    assert status_of(live_server, "ana@example.org", "weekly") == "unsubscribed"
    assert status_of(live_server, "ana@example.org", "weekly-es") == "confirmed"
    with transaction(live_server.settings.database_url) as session:
        assert session.execute(select(Subscriber.name, Subscriber.language)).one() == ("Ana Lima", "pt")
    bad = live_server.client.post(url, data={"name": "x", "language": "klingon"})
    assert bad.status_code == 400


def test_a_person_who_unsubscribed_can_opt_in_again(live_server):
    send_issue_to(live_server, ["ana@example.org"])
    with transaction(live_server.settings.database_url) as session:
        session.execute(update(Subscription).values(status="unsubscribed"))
        session.execute(update(Subscriber).values(status="unsubscribed"))
    subscribe(live_server, "ana@example.org")
    live_server.client.post(confirm_link(live_server.outbox()[0]))
    assert status_of(live_server, "ana@example.org") == "confirmed"
    with transaction(live_server.settings.database_url) as session:
        assert session.scalar(select(Subscriber.status)) == "active"


def test_the_archive_shows_sent_issues_only_and_escapes_them(live_server):
    with transaction(live_server.settings.database_url) as session:
        draft = save_issue(session=session, content=issue(1, title="Draft Issue", date="2024-01-05")).slug
    assert "No issue has been sent yet." in live_server.client.get("/archive").text
    assert live_server.client.get(f"/archive/{draft}").status_code == 404

    send_issue_to(live_server, ["ana@example.org"])
    index = lxml.html.document_fromstring(live_server.client.get("/archive").text)
    assert index.xpath("//ul[@class='issues']//a/text()") == ["The Weekly <Brief>"]
    page = live_server.client.get("/archive/2023-12-29-the-weekly-brief")
    doc = lxml.html.document_fromstring(page.text)
    assert doc.findtext(".//h1") == "The Weekly <Brief>" and doc.xpath("//script") == []
    assert doc.xpath("//h2/a/text()") == ["Headline number 1", "Headline number 2"]

    feed = live_server.client.get("/archive/feed.xml")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    atom = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(feed.content)
    assert [e.findtext("a:title", namespaces=atom) for e in root.findall("a:entry", atom)] == [
        "The Weekly <Brief>: 29 December 2023"]  # the subject line: the title is the same every week
    assert root.find("a:entry/a:link", atom).get("href") == f"{live_server.url}/archive/2023-12-29-the-weekly-brief"


def test_unknown_pages_and_lists_get_a_404_page(live_server):
    for path in ("/subscribe/nope", "/no/such/page"):
        response = live_server.client.get(path)
        assert response.status_code == 404 and title_of(response) == "Page not found"
    assert live_server.client.get("/healthz").json() == {"status": "ok"}
