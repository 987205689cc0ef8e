"""The SendGrid provider against a real local HTTP server speaking the v3 mail/send API."""

import re
from dataclasses import replace

import pytest

from newsletter.errors import (
    AmbiguousDeliveryError,
    ConfigurationError,
    ProviderAuthError,
    ProviderError,
    TransientProviderError,
)
from newsletter.providers import SendGridProvider
from newsletter.providers.sendgrid import mail_send_payload, parse_events
from newsletter.rendering.personalise import PersonalisableTemplate
from tests.conftest import make_settings
from tests.fakes.sendgrid import API_KEY, FakeSendGrid, validate
from tests.providers.helpers import outgoing_batch, recipient
from tests.web.conftest import free_port


@pytest.fixture
def fake():
    server = FakeSendGrid().start()
    yield server
    server.stop()


def sendgrid_settings(tmp_path, url, **overrides):
    values = {"email_backend": "sendgrid", "sendgrid_api_key": API_KEY, "sendgrid_api_url": url, "sendgrid_timeout": 2}
    return make_settings(tmp_path, **{**values, **overrides})


def fill(content: str, substitutions: dict[str, str]) -> str:
    for key, value in substitutions.items():
        content = content.replace(key, value)
    return content


def test_one_call_carries_every_recipient_with_their_own_values(tmp_path, fake):
    settings = sendgrid_settings(tmp_path, fake.url)
    people = [recipient(1, name="Ana <Lima> & co"), recipient(2, name=None), recipient(3)]
    batch = outgoing_batch(settings, people, send_id=7, batch_id=70, list_unsubscribe_mailto="leave@example.org")

    results = SendGridProvider(settings).send_batch(batch)

    [body] = fake.accepted
    message_id = results[0].provider_message_id
    assert message_id and all(r.accepted and r.provider_message_id == message_id for r in results)
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    assert body["categories"] == ["newsletter", "send-7"]
    assert body["mail_settings"] == {"sandbox_mode": {"enable": False}}
    assert body["tracking_settings"]["subscription_tracking"] == {"enable": False}
    text, html = (c["value"] for c in body["content"])
    assert "https://news.example.org/archive/x" in text  # the same for all: written in, not substituted
    for person, p in zip(people, body["personalizations"], strict=True):
        assert p["to"][0]["email"] == person.email
        assert p["custom_args"] == {"nl_send": "7", "nl_batch": "70", "nl_delivery": str(person.delivery_id)}
        assert p["headers"] == {
            "List-Unsubscribe": f"<{person.unsubscribe_url}>, <mailto:leave@example.org?subject=unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        # What SendGrid makes of it is exactly what our own MIME path would send this person.
        assert fill(html, p["substitutions"]) == batch.html.fill(person.fields)
        assert fill(text, p["substitutions"]) == batch.text.fill(person.fields)
    assert "Hi Ana &lt;Lima&gt; &amp; co," in fill(html, body["personalizations"][0]["substitutions"])
    assert "Hi Ana <Lima> & co," in fill(text, body["personalizations"][0]["substitutions"])
    # A name that escaping changes needs a value per part; links escaping leaves alone, one.
    assert {"__NL_NAME__", "__NLT_NAME__", "__NL_UNSUBSCRIBE_URL__"} <= set(body["personalizations"][0]["substitutions"])
    assert "__NLT_UNSUBSCRIBE_URL__" not in body["personalizations"][0]["substitutions"]


def test_sandbox_mode_is_a_real_boolean_and_answers_200(tmp_path, fake):
    settings = sendgrid_settings(tmp_path, fake.url, sendgrid_sandbox=True)
    results = SendGridProvider(settings).send_batch(outgoing_batch(settings, [recipient(1)]))
    assert results[0].accepted and fake.answers["200"] == 1
    assert fake.accepted[0]["mail_settings"]["sandbox_mode"]["enable"] is True


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("400", ProviderError, "sendgrid (status 400): the request was refused: injected 400"),
        ("413", ProviderError, "413 Request Entity Too Large"),
        ("401", ProviderAuthError, "sendgrid (status 401): the API key or sender was refused"),
        ("403", ProviderAuthError, "status 403"),
        ("500", AmbiguousDeliveryError, "may or may not have been accepted"),
        ("drop", AmbiguousDeliveryError, "the connection dropped before the answer"),
        ("slow:3", AmbiguousDeliveryError, "no answer within 2 s"),
    ],
)
def test_failures_are_classified_by_what_they_say_about_delivery(tmp_path, fault, error, message):
    fake = FakeSendGrid(script=[fault]).start()
    try:
        settings = sendgrid_settings(tmp_path, fake.url)
        with pytest.raises(error, match=re.escape(message)) as caught:
            SendGridProvider(settings).send_batch(outgoing_batch(settings, [recipient(1)]))
        assert type(caught.value) is error  # a 400 is final, not a retry
    finally:
        fake.stop()


def test_429_asks_for_a_retry_when_the_rate_limit_resets(tmp_path):
    fake = FakeSendGrid(script=["429"]).start()
    try:
        settings = sendgrid_settings(tmp_path, fake.url)
        with pytest.raises(TransientProviderError, match="rate limited") as caught:
            SendGridProvider(settings).send_batch(outgoing_batch(settings, [recipient(1)]))
        assert 1 <= caught.value.retry_after <= 2
        assert fake.accepted == []
    finally:
        fake.stop()


def test_no_server_is_transient_because_nothing_was_sent(tmp_path):
    settings = sendgrid_settings(tmp_path, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TransientProviderError, match="cannot reach the API"):
        SendGridProvider(settings).send_batch(outgoing_batch(settings, [recipient(1)]))


def test_a_wrong_key_is_an_auth_error_and_no_key_a_configuration_error(tmp_path, fake):
    settings = sendgrid_settings(tmp_path, fake.url, sendgrid_api_key="SG.wrong")
    with pytest.raises(ProviderAuthError, match="authorization grant is invalid"):
        SendGridProvider(settings).send_batch(outgoing_batch(settings, [recipient(1)]))
    with pytest.raises(ConfigurationError, match="SENDGRID_API_KEY"):
        SendGridProvider(make_settings(tmp_path, email_backend="sendgrid"))


def test_a_full_batch_of_1000_passes_the_servers_limits(tmp_path, fake):
    settings = sendgrid_settings(tmp_path, fake.url)
    people = [recipient(n, email=f"r{n}@example.org") for n in range(1, 1001)]
    SendGridProvider(settings).send_batch(outgoing_batch(settings, people))
    assert len(fake.accepted[0]["personalizations"]) == 1000


def test_the_fake_server_enforces_sendgrids_rules(tmp_path):
    settings = make_settings(tmp_path)
    good = mail_send_payload(outgoing_batch(settings, [recipient(1), recipient(2)]))
    assert validate(good) == []
    html_first = {**good, "content": list(reversed(good["content"]))}
    assert "text/plain must be first" in validate(html_first)[0]["message"]
    twice = {**good, "personalizations": good["personalizations"] + good["personalizations"][:1]}
    assert "should be unique" in validate(twice)[0]["message"]
    numeric = {**good, "personalizations": [{**good["personalizations"][0], "custom_args": {"nl_send": 1}}]}
    assert "must be strings" in validate(numeric)[0]["message"]
    too_many = {**good, "personalizations": [{"to": [{"email": f"r{n}@example.org"}]} for n in range(1001)]}
    assert any("1000" in e["message"] for e in validate(too_many))
    stringly = {**good, "mail_settings": {"sandbox_mode": {"enable": "true"}}}
    assert "must be a boolean" in validate(stringly)[0]["message"]


def test_events_are_read_in_our_terms():
    events = parse_events([
        {"event": "processed", "email": "A@example.org", "sg_message_id": "abc123.filter0001.1",
         "nl_send": "1", "nl_batch": "2", "nl_delivery": "3"},
        {"event": "bounce", "type": "blocked", "email": "b@example.org"},
        {"event": "bounce", "type": "bounce", "email": "c@example.org", "reason": "550 no such user"},
        {"event": "spamreport", "email": "d@example.org"},
        {"event": "group_resubscribe", "email": "e@example.org"},
        "not an event",
    ])
    assert [(e.kind, e.bounce, e.email) for e in events] == [
        ("queued", None, "a@example.org"), ("bounced", "soft", "b@example.org"),
        ("bounced", "hard", "c@example.org"), ("complained", None, "d@example.org"),
    ]
    assert [e.proves_acceptance for e in events] == [True, False, False, False]  # only the first names a batch
    assert (events[0].send_id, events[0].batch_id, events[0].delivery_id, events[0].message_id) == (1, 2, 3, "abc123")


@pytest.mark.parametrize(("value", "too_big"), [("x" * 9_000, False), ("x" * 10_001, True), ("é" * 1_700, True)])
def test_the_fake_measures_substitutions_as_sendgrid_does(value, too_big):
    body = {"personalizations": [{"to": [{"email": "a@example.org"}], "substitutions": {"__NL_NAME__": value}}],
            "from": {"email": "news@example.org"}, "subject": "S", "content": [{"type": "text/plain", "value": "x"}]}
    assert any("10,000 bytes" in e["message"] for e in validate(body)) is too_big


def test_readers_with_another_version_of_the_message_go_in_a_call_of_their_own(tmp_path):
    fake = FakeSendGrid(script=[None, "429"]).start()
    try:
        settings = sendgrid_settings(tmp_path, fake.url)
        plain = outgoing_batch(settings, [], html=PersonalisableTemplate("<p>plain __NL_NAME__</p>", escape_html=True),
                               text=PersonalisableTemplate("plain __NL_NAME__", escape_html=False))
        people = [recipient(1), replace(recipient(2), variant=1), recipient(3)]
        batch = outgoing_batch(settings, people, variants=((plain.html, plain.text),))
        results = {r.delivery_id: r for r in SendGridProvider(settings).send_batch(batch)}
        [first] = fake.accepted
        assert [p["custom_args"]["nl_delivery"] for p in first["personalizations"]] == ["1", "3"]
        assert "plain" not in first["content"][1]["value"]
        # The second call (reader 2's version) was refused for now: only they stay pending.
        assert results[1].accepted and results[3].accepted and results[2].retry and not results[2].accepted
        again = SendGridProvider(settings).send_batch(replace(batch, recipients=[people[1]]))
        assert again[0].accepted and fill(fake.accepted[-1]["content"][1]["value"], fake.accepted[-1][
            "personalizations"][0].get("substitutions", {})) == f"<p>plain {people[1].name}</p>"
    finally:
        fake.stop()
