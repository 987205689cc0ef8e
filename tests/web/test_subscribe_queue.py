"""The subscribe form queues its confirmation email: over real HTTP it answers without waiting
on the mail relay, and `newsletter serve` without a broker still delivers the email (its
embedded sweep hands it to its embedded worker)."""

import email
import socket
import subprocess
import time
from email import policy

import httpx
import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Subscription
from newsletter.subscribers import create_list
from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN, make_settings
from tests.web.conftest import free_port, start_server
from tests.web.test_serve_command import wait_until_up
from tests.web.test_subscriber_pages import confirm_link


@pytest.fixture
def hanging_relay() -> int:
    """The port of a TCP server on 127.0.0.1 that takes connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)  # the kernel completes each handshake; nobody ever reads or writes
        yield server.getsockname()[1]


def test_the_form_answers_without_waiting_on_a_relay_that_hangs(tmp_path, database_url, hanging_relay):
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             email_backend="smtp", smtp_host="127.0.0.1", smtp_port=hanging_relay, smtp_tls="none",
                             smtp_timeout=10)
    with transaction(database_url) as session:
        create_list(session=session, name="weekly", title="The Weekly Brief")
    server, thread = start_server(settings)
    try:
        with httpx.Client(base_url=settings.base_url, timeout=30) as client:
            started = time.monotonic()
            response = client.post("/subscribe/weekly", data={"email": "ana@example.org", "name": "Ana"})
            took = time.monotonic() - started
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert response.status_code == 200 and "Check your inbox" in response.text
    # Not a benchmark: the relay stalls for 10 s, and a form that waited on it would take that long.
    assert took < 5, f"the form took {took:.1f} s to answer: it waited on the relay"
    with transaction(database_url) as session:
        membership = session.scalars(select(Subscription)).one()
        assert membership.status == "pending"
        assert membership.confirmation_requested_at is not None  # owed, for the sweep to hand to a worker
        assert membership.confirmation_queued_at is None


def test_serve_without_a_broker_delivers_the_confirmation(tmp_path, database_url):
    port = free_port()
    outbox = tmp_path / "outbox" / "transactional"
    env = cli_env(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{port}", poll_interval=1,
                  outbox_dir=tmp_path / "outbox")
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            answer = client.post("/subscribe/weekly", data={"email": "ana@example.org", "name": "Ana"})
            assert answer.status_code == 200 and "Check your inbox" in answer.text
            deadline = time.monotonic() + 30
            while not list(outbox.glob("*.eml")):
                assert time.monotonic() < deadline, "no confirmation email within 30 s"
                time.sleep(0.1)
            [path] = outbox.glob("*.eml")
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert message["To"].addresses[0].addr_spec == "ana@example.org"
            done = client.post(confirm_link(message))
            assert done.status_code == 200 and "You are subscribed" in done.text
    finally:
        process.terminate()
        process.wait(timeout=30)
