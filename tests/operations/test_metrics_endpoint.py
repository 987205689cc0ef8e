"""/metrics over real HTTP in one process (the embedded mode): the token, the state read at
scrape time, and what the web app and the sending path count."""

import json
import subprocess
import sys
import time

import httpx
import pytest

from newsletter.operations import metrics
from newsletter.sending.dispatch import BatchOutcome
from newsletter.sending.ratelimit import Bucket, RateLimiter
from tests.conftest import make_settings
from tests.fakes.sendgrid import FakeSendGrid
from tests.operations.helpers import samples, scrape, value
from tests.sending.helpers import add_people, freeze, issue_id  # noqa: F401 (fixture)
from tests.web.conftest import free_port, start_server

TOKEN = "a-long-random-metrics-token"


@pytest.fixture
def server(tmp_path, database_url):
    def start(**overrides):
        settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                                 **overrides)
        running.append(start_server(settings))
        return settings

    running = []
    yield start
    for uvicorn_server, thread in running:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)


def test_metrics_is_not_there_without_a_token_setting(server):
    settings = server()
    assert httpx.get(f"{settings.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_metrics_asks_for_the_bearer_token(server):
    settings = server(metrics_token=TOKEN)
    refused = httpx.get(f"{settings.base_url}/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    for header in (f"Basic {TOKEN}", "Bearer wrong", f"Bearer {TOKEN}x", "Bearer"):
        assert httpx.get(f"{settings.base_url}/metrics", headers={"Authorization": header}).status_code == 401
    assert "newsletter_sends" in httpx.get(f"{settings.base_url}/metrics",
                                           headers={"Authorization": f"bearer {TOKEN}"}).text


def test_sends_by_state_are_read_from_the_database_when_scraped(server, issue_id):  # noqa: F811
    settings = server(metrics_token=TOKEN, batch_size=2)
    found = scrape(settings.base_url, TOKEN)
    assert value(found, "newsletter_sends", state="sending") == 0
    assert value(found, "newsletter_dependency_up", dependency="database") == 1
    assert value(found, "newsletter_dependency_up", dependency="broker") is None  # none configured

    add_people(settings.database_url, "weekly", [f"p{n}@example.org" for n in range(5)])
    freeze(settings, issue_id)
    found = scrape(settings.base_url, TOKEN)
    assert value(found, "newsletter_sends", state="sending") == 1
    assert value(found, "newsletter_unfinished_batches", state="pending") == 3


def test_a_database_that_cannot_be_read_is_a_metric_not_a_failed_scrape(server, tmp_path):
    settings = make_settings(tmp_path, base_url=f"http://127.0.0.1:{free_port()}", metrics_token=TOKEN,
                             database_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    uvicorn_server, thread = start_server(settings)
    try:
        found = scrape(settings.base_url, TOKEN)
        assert value(found, "newsletter_dependency_up", dependency="database") == 0
        assert value(found, "newsletter_sends", state="sending") is None
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)


def test_webhook_events_are_counted_by_kind_and_by_what_the_ledger_made_of_them(server):
    fake = FakeSendGrid()
    settings = server(metrics_token=TOKEN, sendgrid_webhook_public_key=fake.public_key)
    before = scrape(settings.base_url, TOKEN)
    event = {"event": "delivered", "email": "ana@example.org", "timestamp": int(time.time()),
             "sg_event_id": "event-1", "sg_message_id": "abc.filter0001.0"}
    answers = []
    for _ in range(2):  # SendGrid delivers an event again when it did not hear our answer
        payload = json.dumps([event]).encode()
        timestamp = str(int(time.time()))
        answers.append(httpx.post(f"{settings.base_url}/webhooks/sendgrid", content=payload, headers={
            "Content-Type": "application/json", "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
            "X-Twilio-Email-Event-Webhook-Signature": fake.sign(payload, timestamp)}).json())
    after = scrape(settings.base_url, TOKEN)

    def delta(name, **labels):
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert delta("newsletter_webhook_events_total", provider="sendgrid", kind="delivered") == 2
    assert delta("newsletter_webhook_events_applied_total", provider="sendgrid", result="recorded") == sum(
        a["recorded"] for a in answers)
    assert delta("newsletter_webhook_events_applied_total", provider="sendgrid", result="repeated") == sum(
        a["repeated"] for a in answers)


def test_the_sending_path_counts_outcomes_waits_and_provider_calls():
    """The hooks the worker's task uses, on this process's registry."""
    def current():
        from prometheus_client import REGISTRY, generate_latest

        return samples(generate_latest(REGISTRY).decode())

    before = current()
    metrics.count_batch("smtp", BatchOutcome(1, "done", accepted=3, failed=1, suppressed=2))
    metrics.count_batch("smtp", BatchOutcome(2, "pending"))
    metrics.count_batch("smtp", BatchOutcome(3, "ambiguous"))
    metrics.count_batch("smtp", None)  # the batch was not there to take
    limiter = metrics.WatchedRateLimiter(RateLimiter({"k": Bucket(10, 1.0)}, None, max_wait=0.5), "smtp")
    turns = [limiter.reserve(10), limiter.reserve(3), limiter.reserve(10)]
    assert [t.granted for t in turns] == [True, True, False]  # the last one's turn is 1.3 s away

    class Instant(metrics.Provider):
        name = "instant"

        def send_batch(self, batch):
            return []

    metrics.TimedProvider(Instant()).send_batch(None)
    after = current()

    def delta(name, **labels):
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert delta("newsletter_batches_total", provider="smtp", outcome="sent") == 1
    assert delta("newsletter_batches_total", provider="smtp", outcome="retried") == 1
    assert delta("newsletter_batches_total", provider="smtp", outcome="ambiguous") == 1
    assert delta("newsletter_recipients_total", provider="smtp", outcome="accepted") == 3
    assert delta("newsletter_recipients_total", provider="smtp", outcome="failed") == 1
    assert delta("newsletter_recipients_total", provider="smtp", outcome="suppressed") == 2
    assert delta("newsletter_rate_limit_wait_seconds_count", provider="smtp") == 2
    assert 0.2 < delta("newsletter_rate_limit_wait_seconds_sum", provider="smtp") < 0.4  # 0 then 0.3 s
    assert delta("newsletter_rate_limit_deferred_total", provider="smtp") == 1
    assert delta("newsletter_provider_call_seconds_count", provider="instant") == 1


def test_the_metrics_are_made_once_when_threads_race_to_count():
    """The embedded worker's threads count their first batches at the same moment."""
    script = (
        "import threading\n"
        "from newsletter.operations import metrics\n"
        "from newsletter.sending.dispatch import BatchOutcome\n"
        "start = threading.Barrier(8)\n"
        "errors = []\n"
        "def count():\n"
        "    start.wait()\n"
        "    try:\n"
        "        metrics.count_batch('file', BatchOutcome(1, 'done', accepted=1))\n"
        "    except Exception as err:\n"
        "        errors.append(err)\n"
        "threads = [threading.Thread(target=count) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "from prometheus_client import REGISTRY\n"
        "print(errors, REGISTRY.get_sample_value('newsletter_batches_total', {'provider': 'file', 'outcome': 'sent'}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[] 8.0", run.stdout + run.stderr
