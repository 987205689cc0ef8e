"""Tracked links in the emails: the link table made when a send is created, each reader's
signed token in every item link of both parts, plain links where no list tracks clicks."""

import re

from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Send, SendLink
from newsletter.providers.sendgrid import mail_send_payload
from newsletter.reports.engagement import click_report
from newsletter.sending.message_tokens import NO_CLICK_TOKEN, click_key, click_token
from newsletter.tracking.clicks import new_click, record_clicks
from newsletter.tracking.links import LinkTables, delivery_of_token, link_number
from tests.tracking.click_helpers import ITEM_LINKS, PEOPLE, accepted_ago, send_issue


def link_table(url, send_id):
    with transaction(url) as session:
        return session.execute(select(SendLink.link_id, SendLink.url, SendLink.item_id)
                               .where(SendLink.send_id == send_id).order_by(SendLink.link_id)).all()


def test_every_item_link_of_both_parts_goes_through_the_redirect_with_the_readers_token(db_settings):
    sent = send_issue(db_settings)
    base = f"{db_settings.base_url}/c/{sent.send_id}"
    table = link_table(db_settings.database_url, sent.send_id)
    assert [(n, url) for n, url, _ in table] == [(1, ITEM_LINKS[0]), (2, ITEM_LINKS[1]), (3, ITEM_LINKS[2])]
    assert all(item_id is not None for _, _, item_id in table)  # reports can rank the items
    assert len({item_id for _, _, item_id in table}) == 3
    for email in PEOPLE:
        token = click_token(click_key(db_settings.secret_key), sent.send_id, sent.deliveries[email])
        html, text = sent.messages[email]
        # headline, image-less "Read more": two links an item in the HTML, one in the text
        assert sent.tracked_links(email) == [f"{base}/{n}/{token}" for n in (1, 1, 2, 2, 3, 3)]
        assert [line.removeprefix("Read more: ") for line in text.splitlines() if line.startswith("Read more:")] \
            == [f"{base}/{n}/{token}" for n in (1, 2, 3)]
        assert not any(link in html or link in text for link in ITEM_LINKS)
        # the unsubscribe and web-version links are not tracked
        assert f'href="{db_settings.base_url}/unsubscribe/' in html
        assert f'href="{db_settings.base_url}/archive/' in html
        assert f"Unsubscribe: {db_settings.base_url}/unsubscribe/" in text
        assert delivery_of_token(db_settings.secret_key, sent.send_id, token) == sent.deliveries[email]
    [batch] = sent.provider.batches
    assert {r.fields["click_token"] for r in batch.recipients} == {
        click_token(click_key(db_settings.secret_key), sent.send_id, d) for d in sent.deliveries.values()}


def test_a_send_to_lists_that_do_not_track_clicks_has_plain_links_and_no_token(db_settings):
    sent = send_issue(db_settings, tracking={"weekly": False})
    assert link_table(db_settings.database_url, sent.send_id) == []
    for html, text in sent.messages.values():
        assert "/c/" not in html and "/c/" not in text
        assert all(f'href="{link}"' in html and f"Read more: {link}" in text for link in ITEM_LINKS)
    with transaction(db_settings.database_url) as session:
        send = session.get_one(Send, sent.send_id)
        assert "__NL_CLICK_TOKEN__" not in send.html_template + send.text_template
    [batch] = sent.provider.batches
    assert all("click_token" not in r.fields for r in batch.recipients)


def test_a_send_to_a_tracking_list_and_another_tracks_only_the_first_lists_readers(db_settings):
    sent = send_issue(db_settings, people={"weekly": ["ana@example.org"], "private": ["bo@example.org"]},
                      tracking={"weekly": True, "private": False})
    assert len(link_table(db_settings.database_url, sent.send_id)) == 3
    html, text = sent.messages["bo@example.org"]
    assert sent.tracked_links("bo@example.org") == [] and "/c/" not in text  # their own version: plain links
    assert all(f'href="{url}"' in html and url in text for url in ITEM_LINKS)
    assert delivery_of_token(db_settings.secret_key, sent.send_id, NO_CLICK_TOKEN) is None
    ana = sent.tracked_links("ana@example.org")[0].rsplit("/", 1)[1]
    assert delivery_of_token(db_settings.secret_key, sent.send_id, ana) == sent.deliveries["ana@example.org"]


def test_a_token_names_its_delivery_only_whole_unchanged_and_in_its_own_send():
    key = click_key("k")
    token = click_token(key, 7, 1234)
    assert re.fullmatch(r"4d2-[0-9a-f]{12}", token)
    assert delivery_of_token("k", 7, token) == 1234
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
    other_delivery = click_token(key, 7, 1235).replace("4d3-", "4d2-")
    for bad in (tampered, token[:-3], token[:4], "", "-", "4d2", token.upper(), "ffffffffff-" + token[4:],
                other_delivery, token + "0"):
        assert delivery_of_token("k", 7, bad) is None, bad
    assert delivery_of_token("k", 8, token) is None  # another send's links
    assert delivery_of_token("another key", 7, token) is None


def test_link_numbers_are_ids_and_nothing_else():
    assert link_number("12") == 12
    for bad in ("0", "-1", "1.0", "²", "99999999999", "2147483648", "", "a"):
        assert link_number(bad) is None, bad


def test_a_process_reads_a_sends_link_table_once_and_remembers_an_unknown_send(db_settings):
    sent = send_issue(db_settings)
    tables = LinkTables(db_settings.database_url)
    assert tables.cached(sent.send_id) is None
    assert tables.load(sent.send_id) == tuple(ITEM_LINKS)
    assert tables.cached(sent.send_id) == tuple(ITEM_LINKS)
    assert tables.load(sent.send_id + 1) == ()
    assert tables.cached(sent.send_id + 1) == ()  # no query for a while
    tables.forget_unknown_after = 0
    assert tables.cached(sent.send_id + 1) is None


def test_sendgrid_gets_each_readers_token_as_one_substitution_for_both_parts(db_settings):
    sent = send_issue(db_settings)
    [batch] = sent.provider.batches
    body = mail_send_payload(batch)
    text, html = (part["value"] for part in body["content"])
    marker = "__NL_CLICK_TOKEN__"
    assert html.count(marker) == 6 and text.count(marker) == 3
    key = click_key(db_settings.secret_key)
    assert [p["substitutions"][marker] for p in body["personalizations"]] == [
        click_token(key, sent.send_id, sent.deliveries[p["to"][0]["email"]]) for p in body["personalizations"]]


def test_the_call_to_action_button_is_tracked_as_a_link_of_no_item_and_reported_apart(db_settings):
    donate = "https://example.org/donate"
    sent = send_issue(db_settings, call_to_action={"text": "Your gift stops abuses.", "button": "Donate",
                                                   "url": donate})
    table = link_table(db_settings.database_url, sent.send_id)
    assert table[-1][1:] == (donate, None) and len(table) == 4  # after the three items', no item of its own
    base = f"{db_settings.base_url}/c/{sent.send_id}/4/"
    for email in PEOPLE:
        html, text = sent.messages[email]
        token = click_token(click_key(db_settings.secret_key), sent.send_id, sent.deliveries[email])
        assert f'href="{base}{token}"' in html and f"{base}{token}" in text and donate not in html + text
    accepted_ago(db_settings.database_url, 60)
    with transaction(db_settings.database_url) as session:
        record_clicks(session=session, settings=db_settings, clicks=[new_click(
            send_id=sent.send_id, link_id=4, url=donate, delivery_id=sent.deliveries[PEOPLE[0]], method="GET",
            client=None)])
    with transaction(db_settings.database_url) as session:
        report = click_report(session=session, send=session.get(Send, sent.send_id))
    assert [(link.url, link.human_clicks, link.human_clickers) for link in report.other_links] == [(donate, 1, 1)]
    assert all(item.human_clicks == 0 for item in report.items)  # not counted as an item's


def test_an_articles_web_links_are_tracked_and_its_notes_and_mail_links_are_not(db_settings):
    body = ("The court freed [three journalists](https://example.org/ruling)[^1]; write to "
            "[the ministry](mailto:minister@example.gov) or read [the ruling](https://example.org/ruling) "
            "and [our report](https://example.org/report).\n\n[^1]: After [a year](https://example.org/year).")
    sent = send_issue(db_settings, format="article", body=body, dateline="GENEVA", byline="Ana Ruiz", intro=None)
    links = ["https://example.org/ruling", "https://example.org/report", "https://example.org/year"]
    assert link_table(db_settings.database_url, sent.send_id) == [(n, url, None) for n, url in enumerate(links, 1)]
    base = f"{db_settings.base_url}/c/{sent.send_id}"
    for email in PEOPLE:
        html, text = sent.messages[email]
        token = click_token(click_key(db_settings.secret_key), sent.send_id, sent.deliveries[email])
        assert sent.tracked_links(email) == [f"{base}/{n}/{token}" for n in (1, 1, 2, 3)]
        assert all(f"{base}/{n}/{token}" in text for n in (1, 2, 3)) and not any(link in html + text for link in links)
        assert 'href="mailto:minister@example.gov"' in html and 'href="#fn1"' in html  # as they were
