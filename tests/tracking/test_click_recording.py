"""Recording clicks in the ledger: once each, with the machines' clicks marked (HEAD, a scanner
network, soon after delivery, a burst of links of one message), written at once or through a
real Redis stream whose drain may stop anywhere and be run again."""

import asyncio
import time

import pytest
import redis

from newsletter.db import transaction
from newsletter.tracking import click_stream
from newsletter.tracking.click_stream import ClickRecorder, GroupWriter, claim_clicks, drain_clicks
from newsletter.tracking.clicks import Click, new_click, record_clicks
from tests.conftest import make_settings
from tests.tracking.click_helpers import ITEM_LINKS, accepted_ago, send_issue
from tests.tracking.click_helpers import clicks as ledger_clicks


def click(sent, email="ana@example.org", link=1, *, at=None, method="GET", client="192.0.2.7", networks=None) -> Click:
    made = new_click(send_id=sent.send_id, link_id=link, url=ITEM_LINKS[link - 1],
                     delivery_id=sent.deliveries[email], method=method, client=client, scanner_networks=networks)
    return made if at is None else Click(**{**made.__dict__, "at": at})


def record(settings, *made):
    with transaction(settings.database_url) as session:
        return record_clicks(session=session, settings=settings, clicks=list(made))


def test_a_click_a_minute_after_delivery_is_a_persons(db_settings):
    sent = send_issue(db_settings)
    accepted_ago(db_settings.database_url, 60)
    made = click(sent, link=2)
    assert record(db_settings, made).recorded == 1
    assert record(db_settings, made).recorded == 0  # the same request drained again
    [row] = ledger_clicks(db_settings.database_url)
    assert (row.provider, row.delivery_id, row.send_id, row.url, row.machine) == (
        "web", sent.deliveries["ana@example.org"], sent.send_id, ITEM_LINKS[1], False)
    assert row.raw == {"link": 2, "method": "GET", "signals": []} and row.event_id == made.event_id


def test_a_click_within_seconds_of_delivery_or_before_it_was_recorded_is_a_machines(db_settings):
    sent = send_issue(db_settings)
    accepted_ago(db_settings.database_url, db_settings.machine_click_seconds - 3)
    record(db_settings, click(sent))
    accepted_ago(db_settings.database_url, -5)  # the click came before the acceptance was recorded
    record(db_settings, click(sent, "bo@example.org"))
    assert [(row.machine, row.raw["signals"]) for row in ledger_clicks(db_settings.database_url)] == [
        (True, ["soon-after-delivery"]), (True, ["soon-after-delivery"])]


def test_a_head_request_and_a_scanner_network_are_machines(db_settings, tmp_path):
    sent = send_issue(db_settings)
    accepted_ago(db_settings.database_url, 3600)
    networks = tmp_path / "scanners.txt"
    networks.write_text("# a link scanner's egress, seen in the logs\n203.0.113.0/24\n")
    record(db_settings, click(sent, method="HEAD", networks=networks))
    record(db_settings, click(sent, "bo@example.org", client="203.0.113.9", networks=networks))
    record(db_settings, click(sent, "bo@example.org", link=3, at=time.time() + 5, client="198.51.100.1",
                              networks=networks))
    assert [(row.machine, row.raw["signals"], row.raw["method"]) for row in ledger_clicks(db_settings.database_url)] \
        == [(True, ["head"], "HEAD"), (True, ["scanner-network"], "GET"), (False, [], "GET")]


def test_different_links_of_one_message_within_a_second_are_a_machines_even_across_drains(db_settings):
    sent = send_issue(db_settings)
    accepted_ago(db_settings.database_url, 3600)
    now = time.time()
    # ana: a scanner fetching every link at once; bo: a double click, then another link later
    record(db_settings, click(sent, link=1, at=now), click(sent, link=2, at=now + 0.2),
           click(sent, "bo@example.org", link=1, at=now), click(sent, "bo@example.org", link=1, at=now + 0.3),
           click(sent, "bo@example.org", link=2, at=now + 30))
    record(db_settings, click(sent, link=3, at=now + 0.9))  # the burst's last link, drained later
    rows = ledger_clicks(db_settings.database_url)
    ana = sent.deliveries["ana@example.org"]
    assert [(row.url, row.machine) for row in rows if row.delivery_id == ana] == [
        (ITEM_LINKS[0], True), (ITEM_LINKS[1], True), (ITEM_LINKS[2], True)]
    assert [(row.url, row.machine) for row in rows if row.delivery_id != ana] == [
        (ITEM_LINKS[0], False), (ITEM_LINKS[0], False), (ITEM_LINKS[1], False)]
    [drained_later] = [row for row in rows if row.delivery_id == ana and row.url == ITEM_LINKS[2]]
    assert drained_later.raw["signals"] == ["burst"]


def test_a_click_naming_a_delivery_of_another_send_is_not_recorded(db_settings):
    sent = send_issue(db_settings)
    stray = Click(**{**click(sent).__dict__, "send_id": sent.send_id + 1})
    assert record(db_settings, stray).recorded == 0
    assert ledger_clicks(db_settings.database_url) == []


@pytest.fixture
def buffered(tmp_path, database_url, redis_url):
    """Settings with a shared Redis (clicks are buffered), and a client of that Redis."""
    settings = make_settings(tmp_path, database_url=database_url, redis_url=redis_url)
    client = redis.Redis.from_url(redis_url)
    yield settings, client
    client.close()


@pytest.mark.redis
def test_buffered_clicks_reach_the_ledger_when_drained(buffered):
    settings, client = buffered
    sent = send_issue(settings)
    accepted_ago(settings.database_url, 60)
    recorder = ClickRecorder(settings)
    for link in (1, 2, 3):
        asyncio.run(recorder.record(click(sent, link=link, at=time.time() + 10 * link)))
    assert ledger_clicks(settings.database_url) == []  # the web app wrote to Redis only
    assert client.xlen(click_stream.STREAM) == 3
    assert drain_clicks(settings=settings) == 3
    assert [(row.url, row.machine) for row in ledger_clicks(settings.database_url)] == [
        (url, False) for url in ITEM_LINKS]
    assert client.xlen(click_stream.STREAM) == 0 and drain_clicks(settings=settings) == 0


@pytest.mark.redis
def test_a_drain_that_stops_before_recording_or_before_acknowledging_loses_and_repeats_nothing(buffered):
    settings, client = buffered
    sent = send_issue(settings)
    recorder = ClickRecorder(settings)
    pushed = [click(sent, email, link, at=time.time() + n * 10)
              for n, (email, link) in enumerate([(e, link) for e in sent.deliveries for link in (1, 2, 3)])]
    for made in pushed:
        recorder.push(made)
    # One drainer dies after reading two clicks; another after recording two more, before its
    # acknowledgement: their entries stay pending.
    claim_clicks(client, count=2, reclaim_after=60)
    read = claim_clicks(client, count=2, reclaim_after=60)
    with transaction(settings.database_url) as session:
        assert record_clicks(session=session, settings=settings, clicks=[c for _, c in read]).recorded == 2
    # A drain while they might still be working leaves their entries alone ...
    assert drain_clicks(settings=settings, reclaim_after=60) == 2
    assert len(ledger_clicks(settings.database_url)) == 4
    assert client.xpending(click_stream.STREAM, click_stream.GROUP)["pending"] == 4
    # ... and takes them over once they have been silent long enough.
    assert drain_clicks(settings=settings, reclaim_after=0) == 2
    assert sorted(row.event_id for row in ledger_clicks(settings.database_url)) == sorted(c.event_id for c in pushed)
    assert client.xpending(click_stream.STREAM, click_stream.GROUP)["pending"] == 0
    assert client.xlen(click_stream.STREAM) == 0


@pytest.mark.redis
def test_an_unreadable_entry_is_dropped_and_the_rest_recorded(buffered):
    settings, client = buffered
    sent = send_issue(settings)
    client.xadd(click_stream.STREAM, {"c": b"not json"})
    client.xadd(click_stream.STREAM, {"c": b'["x", "1", 1, "u", 1, 1.0, false, false]'})
    ClickRecorder(settings).push(click(sent))
    assert drain_clicks(settings=settings) == 1
    assert client.xlen(click_stream.STREAM) == 0


def test_without_redis_a_recorder_writes_to_the_database_in_groups(db_settings):
    sent = send_issue(db_settings)
    accepted_ago(db_settings.database_url, 3600)
    recorder = ClickRecorder(db_settings)
    assert drain_clicks(settings=db_settings) == 0
    asyncio.run(recorder.record(click(sent)))
    assert len(ledger_clicks(db_settings.database_url)) == 1
    now = time.time()  # a scanner fetching bo's three links at once: one group, marked as it

    async def burst():
        await asyncio.gather(*(recorder.record(click(sent, "bo@example.org", link, at=now + link / 10))
                               for link in (1, 2, 3)))

    asyncio.run(burst())
    bo = sent.deliveries["bo@example.org"]
    assert [row.machine for row in ledger_clicks(db_settings.database_url) if row.delivery_id == bo] == [True] * 3


def test_what_arrives_while_a_group_is_written_makes_the_next_group():
    groups = []

    def write(items):
        time.sleep(0.05)  # a transaction
        groups.append(list(items))

    writer = GroupWriter(write)

    async def clicks():
        await writer.write("first")  # written alone: nothing else was waiting
        await asyncio.gather(*(writer.write(n) for n in range(50)))

    asyncio.run(clicks())
    assert groups[0] == ["first"] and sorted(n for group in groups[1:] for n in group) == list(range(50)) and len(groups) <= 3


def test_every_caller_of_a_failed_group_is_told():
    def write(items):
        raise OSError("the database went away")

    writer = GroupWriter(write)

    async def clicks():
        return await asyncio.gather(*(writer.write(n) for n in range(3)), return_exceptions=True)

    assert [str(answer) for answer in asyncio.run(clicks())] == ["the database went away"] * 3
