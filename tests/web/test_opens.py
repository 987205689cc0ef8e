"""Opens over real HTTP: off by default; on a list that tracks them every reader's HTML carries a
1x1 image with their token, whose fetch records an opened event and answers a GIF that is never
cached; a fetch from a machine network (Apple's proxies) or SendGrid's sg_machine_open is a
machine's; a reader who turned tracking off gets plain links and no image."""

import re

import httpx
import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import DeliveryEvent, Subscriber
from newsletter.providers.base import EventKind, ProviderEvent
from newsletter.reports import send_report
from newsletter.tokens import Purpose, make_token
from newsletter.tracking import record_events
from newsletter.networks import machine_networks
from newsletter.tracking.opens import DEFAULT_NETWORKS
from newsletter.web.public.clicks import GIF
from tests.operations.test_metrics_endpoint import server  # noqa: F401 - a live app with settings of the test's
from tests.tracking.click_helpers import ITEM_LINKS, accepted_ago, send_issue

PIXEL = re.compile(r'<img src="([^"]*/o/(\d+)/([^"]*))" width="1" height="1" alt=""')


def pixels(sent, email: str) -> list[str]:
    return [match[0] for match in PIXEL.findall(sent.messages[email][0])]


def opens(url: str) -> list[tuple]:
    with transaction(url) as session:
        return session.execute(select(DeliveryEvent.delivery_id, DeliveryEvent.machine, DeliveryEvent.provider)
                               .where(DeliveryEvent.kind == "opened").order_by(DeliveryEvent.id)).all()


def networks(tmp_path, machine: bool):
    """A machine-open networks file holding loopback's network (so this test's fetches are a
    proxy's) when ``machine``, else someone else's."""
    path = tmp_path / "networks.csv"
    path.write_text("# like Apple's egress list\n127.0.0.0/8,US,US-CA,Cupertino,\n" if machine else "10.9.9.0/24\n")
    return path


def test_opens_are_off_by_default(db_settings):
    sent = send_issue(db_settings)
    assert all(pixels(sent, email) == [] for email in sent.messages)
    with transaction(db_settings.database_url) as session:
        assert send_report(session=session, send_id=sent.send_id).opens.tracked is False


def test_an_open_is_recorded_and_answered_with_a_gif_never_cached(server, tmp_path):  # noqa: F811
    settings = server(machine_open_networks=networks(tmp_path, machine=False))
    sent = send_issue(settings, opens={"weekly": True})
    accepted_ago(settings.database_url, 60)
    [image] = pixels(sent, "ana@example.org")
    token = sent.tracked_links("ana@example.org")[0].rsplit("/", 1)[1]
    assert image == f"{settings.base_url}/o/{sent.send_id}/{token}"  # the links' token, one slot more
    assert "/o/" not in sent.messages["ana@example.org"][1]  # no image in the text part
    with httpx.Client(timeout=10) as client:
        answer = client.get(image)
        assert answer.status_code == 200 and answer.content == GIF and answer.headers["content-type"] == "image/gif"
        assert "no-store" in answer.headers["cache-control"]
        for broken in (image[:-2], image.rsplit("/", 1)[0] + "/0", f"{settings.base_url}/o/999/{token}"):
            assert client.get(broken).content == GIF  # a broken tracker is still an image
        assert client.head(image).status_code == 200  # a HEAD saw no image: not an open
    assert opens(settings.database_url) == [(sent.deliveries["ana@example.org"], False, "web")]
    with transaction(settings.database_url) as session:
        report = send_report(session=session, send_id=sent.send_id).opens
    assert (report.tracked, report.estimate, report.human_openers, report.machine_opens_filtered) == (True, True, 1, 0)
    assert report.open_rate == 1 / 2


def test_apples_proxies_and_sendgrids_machine_opens_are_machines(server, tmp_path):  # noqa: F811
    settings = server(machine_open_networks=networks(tmp_path, machine=True))
    sent = send_issue(settings, opens={"weekly": True})
    httpx.get(pixels(sent, "ana@example.org")[0], timeout=10)  # from a listed network: Apple's proxy
    bo = sent.deliveries["bo@example.org"]
    with transaction(settings.database_url) as session:
        record_events(session=session, settings=settings, events=[ProviderEvent(
            EventKind.OPENED, "bo@example.org", sent.send_id, None, bo, None, event_id=f"sg-{n}", machine=machine)
            for n, machine in ((1, True), (2, False))])
    assert sorted(opens(settings.database_url)) == sorted([(sent.deliveries["ana@example.org"], True, "web"),
                                                         (bo, True, "sendgrid"), (bo, False, "sendgrid")])
    with transaction(settings.database_url) as session:
        report = send_report(session=session, send_id=sent.send_id).opens
    assert (report.human_openers, report.machine_opens_filtered) == (1, 2)


def test_the_shipped_networks_hold_apples_block_and_read_apples_csv(tmp_path):
    shipped = machine_networks(str(DEFAULT_NETWORKS))
    assert shipped.contains("17.58.1.2") and shipped.contains("::ffff:17.0.0.1")
    assert not shipped.contains("192.0.2.1") and not shipped.contains("not an address")
    csv = tmp_path / "egress.csv"
    csv.write_text("172.224.224.0/27,US,US-CA,Los Angeles,\n2a02:26f7:b3c0:4000::/64,FR,FR-75,Paris,\n"
                   "172.224.224.32/27,US,US-CA,Los Angeles,\n")
    listed = machine_networks(str(csv))
    assert listed.contains("172.224.224.40") and listed.contains("2a02:26f7:b3c0:4000::9")
    assert not listed.contains("172.224.224.64") and not listed.contains("17.0.0.1")
    (tmp_path / "bad.txt").write_text("17.0.0.0/8\nnot-a-network\n")
    with pytest.raises(ValueError, match="bad.txt, line 2"):
        machine_networks(str(tmp_path / "bad.txt"))


def test_a_reader_who_opted_out_gets_plain_links_and_no_image(db_settings):
    sent = send_issue(db_settings, opens={"weekly": True}, opted_out=("bo@example.org",))
    html, text = sent.messages["bo@example.org"]
    assert sent.tracked_links("bo@example.org") == [] and pixels(sent, "bo@example.org") == []
    assert "/c/" not in text and all(f'href="{url}"' in html and url in text for url in ITEM_LINKS)
    assert len(sent.tracked_links("ana@example.org")) >= 3 and len(pixels(sent, "ana@example.org")) == 1
    [batch] = sent.provider.batches
    # ana's version (tracked links and the image) and bo's (plain), each prepared once for the batch
    assert len(batch.variants) == 2 and {r.variant for r in batch.recipients} == {1, 2}


def test_a_subscriber_turns_tracking_off_and_on_on_the_preferences_page(live_server):
    with transaction(live_server.settings.database_url) as session:
        ana = Subscriber(email="ana@example.org", attributes={})
        session.add(ana)
        session.flush()
        ana_id = ana.id
    url = f"/preferences/{make_token(live_server.settings.secret_key, Purpose.PREFERENCES, ana_id)}"
    assert 'name="no_tracking" value="yes" aria-describedby="no-tracking-hint">' in live_server.client.get(url).text
    for ticked, expected in (({"no_tracking": "yes"}, True), ({}, False)):
        saved = live_server.client.post(url, data={"name": "Ana", "language": "", **ticked})
        assert saved.status_code == 200 and "Your preferences are saved." in saved.text
        assert ('aria-describedby="no-tracking-hint" checked>' in saved.text) is expected
        with transaction(live_server.settings.database_url) as session:
            assert session.get(Subscriber, ana_id).tracking_opt_out is expected
