"""/c/<send>/<link>/<token> over real HTTP: a reader's click recorded and redirected, only to the
send's own links; a broken token still redirects and records nothing; machines' clicks marked;
clicks buffered in a real Redis until drained."""

import time

import httpx
import pytest

from newsletter.tracking.click_stream import drain_clicks
from tests.conftest import make_settings
from tests.tracking.click_helpers import ITEM_LINKS, accepted_ago, clicks, send_issue
from tests.web.conftest import free_port, start_server


def tracked(sent, email="ana@example.org"):
    """{link number: the tracked address} in ``email``'s message."""
    return {int(link.split("/")[-2]): link for link in sent.tracked_links(email)}


def follow(client, url, method="GET"):
    """Request a tracked address (absolute) as a mail client would: without following the redirect."""
    return client.request(method, url)


def test_a_readers_click_is_recorded_and_redirected_to_the_link(live_server):
    sent = send_issue(live_server.settings)
    accepted_ago(live_server.settings.database_url, 60)
    answer = follow(live_server.client, tracked(sent)[2])
    assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[1]
    assert "no-store" in answer.headers["cache-control"]
    [row] = clicks(live_server.settings.database_url)
    assert (row.provider, row.delivery_id, row.send_id, row.url, row.machine) == (
        "web", sent.deliveries["ana@example.org"], sent.send_id, ITEM_LINKS[1], False)
    assert row.event_id.startswith("click-")


def test_a_tampered_cut_or_foreign_token_still_redirects_and_records_nothing(live_server):
    sent = send_issue(live_server.settings)
    link = tracked(sent)[1]
    others = tracked(sent, "bo@example.org")[1]
    base, token = link.rsplit("/", 1)
    for broken in (f"{base}/{token[:-1]}x" if not token.endswith("x") else f"{base}/{token[:-1]}y",
                   f"{base}/{token[:6]}", f"{base}/", base, f"{base}/{'f' * 30}",
                   # bo's token is good, but only with bo's own delivery number in front
                   f"{base}/{token.split('-')[0]}-{others.rsplit('-', 1)[1]}"):
        answer = follow(live_server.client, broken)
        assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[0], broken
    assert clicks(live_server.settings.database_url) == []


def test_a_reader_of_a_list_that_does_not_track_is_redirected_and_not_recorded(live_server):
    sent = send_issue(live_server.settings, people={"weekly": ["ana@example.org"], "weekly-es": ["bo@example.org"]},
                      tracking={"weekly-es": False})
    assert tracked(sent, "bo@example.org") == {}  # bo's own version of the message: plain links
    answer = follow(live_server.client, tracked(sent)[2].rsplit("/", 1)[0] + "/0")  # a token naming nobody
    assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[1]
    assert clicks(live_server.settings.database_url) == []
    follow(live_server.client, tracked(sent)[2])
    [row] = clicks(live_server.settings.database_url)
    assert row.delivery_id == sent.deliveries["ana@example.org"]


def test_a_link_the_send_does_not_have_is_a_404_page_not_a_redirect(live_server):
    sent = send_issue(live_server.settings)
    token = tracked(sent)[1].rsplit("/", 1)[1]
    for path in (f"/c/{sent.send_id}/4/{token}", f"/c/{sent.send_id + 1}/1/{token}", f"/c/{sent.send_id}/0/{token}",
                 f"/c/x/1/{token}", f"/c/{sent.send_id}/99999999999/{token}", "/c/1/1/https%3A%2F%2Fevil.example"):
        answer = live_server.client.get(path)
        assert answer.status_code == 404 and "location" not in answer.headers, path
        assert "Page not found" in answer.text
    assert clicks(live_server.settings.database_url) == []


def test_a_head_request_is_a_machines_click(live_server):
    sent = send_issue(live_server.settings)
    accepted_ago(live_server.settings.database_url, 60)
    answer = follow(live_server.client, tracked(sent)[3], method="HEAD")
    assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[2]
    [row] = clicks(live_server.settings.database_url)
    assert row.machine and row.raw["signals"] == ["head"]


def test_a_scanner_fetching_every_link_of_a_message_at_once_is_a_machine(live_server):
    sent = send_issue(live_server.settings)
    accepted_ago(live_server.settings.database_url, 3600)
    started = time.monotonic()
    for link in tracked(sent).values():
        assert follow(live_server.client, link).status_code == 302
    assert time.monotonic() - started < 1
    follow(live_server.client, tracked(sent, "bo@example.org")[1])  # a person, meanwhile
    rows = clicks(live_server.settings.database_url)
    assert [(row.url, row.machine) for row in rows] == [(url, True) for url in ITEM_LINKS] + [(ITEM_LINKS[0], False)]


def test_a_click_soon_after_delivery_is_a_machines_and_a_minute_after_a_persons(live_server):
    sent = send_issue(live_server.settings)
    accepted_ago(live_server.settings.database_url, 2)
    follow(live_server.client, tracked(sent)[1])
    accepted_ago(live_server.settings.database_url, 61)
    follow(live_server.client, tracked(sent, "bo@example.org")[1])
    assert [(row.machine, row.raw["signals"]) for row in clicks(live_server.settings.database_url)] == [
        (True, ["soon-after-delivery"]), (False, [])]


@pytest.fixture
def serve(tmp_path, database_url):
    """Start the web app with settings of the test's choosing; stopped at the end."""
    running = []

    def start(**overrides) -> httpx.Client:
        settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                                 **overrides)
        server, thread = start_server(settings)
        client = httpx.Client(base_url=settings.base_url, timeout=10)
        running.append((server, thread, client))
        return settings, client

    yield start
    for server, thread, client in running:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)


def test_a_click_from_a_listed_scanner_network_is_a_machines(serve, tmp_path):
    networks = tmp_path / "scanners.txt"
    networks.write_text("127.0.0.0/8  # this test's client stands for a scanner\n")
    settings, client = serve(machine_click_networks=networks)
    sent = send_issue(settings)
    accepted_ago(settings.database_url, 3600)
    assert follow(client, tracked(sent)[1]).status_code == 302
    assert [(row.machine, row.raw["signals"]) for row in clicks(settings.database_url)] == [
        (True, ["scanner-network"])]


@pytest.mark.redis
def test_with_redis_a_click_is_buffered_before_the_redirect_and_recorded_by_the_drain(serve, redis_url):
    settings, client = serve(redis_url=redis_url)
    sent = send_issue(settings)
    accepted_ago(settings.database_url, 60)
    answer = follow(client, tracked(sent)[1])
    assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[0]
    assert clicks(settings.database_url) == []
    assert drain_clicks(settings=settings) == 1
    [row] = clicks(settings.database_url)
    assert (row.delivery_id, row.url, row.machine) == (sent.deliveries["ana@example.org"], ITEM_LINKS[0], False)


def test_when_redis_does_not_answer_the_click_goes_to_the_database(serve):
    settings, client = serve(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    sent = send_issue(settings)
    answer = follow(client, tracked(sent)[2])
    assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[1]
    [row] = clicks(settings.database_url)
    assert row.url == ITEM_LINKS[1]
