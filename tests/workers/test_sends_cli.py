"""`newsletter send --at`, `send-test` and `sends ...` as an admin runs them (embedded mode)."""

import csv
import datetime as dt
import email
import io
import subprocess
import time
from email import policy

from newsletter.db import transaction
from newsletter.db.models import Delivery
from newsletter.sending.states import DeliveryStatus, move_deliveries
from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN
from tests.web.conftest import free_port
from tests.workers.test_embedded import write_inputs


def setup(tmp_path, people=5, **settings):
    url = f"sqlite:///{tmp_path / 'news.db'}"
    env = cli_env(tmp_path, database_url=url, outbox_dir=tmp_path / "outbox", **settings)
    env["COLUMNS"] = "200"  # rich would squeeze tables into 80 columns
    csv_path, issue_path = write_inputs(tmp_path, people=people)
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "import", str(csv_path), "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    issue_id = ok(run_cli("issue", "import", str(issue_path), cwd=tmp_path, env=env)).strip()
    return env, url, issue_id


def test_a_send_is_scheduled_listed_and_cancelled(tmp_path):
    env, _, issue_id = setup(tmp_path)
    scheduled = ok(run_cli("send", issue_id, "--list", "weekly", "--at", "2099-12-04 08:00", "--tz", "Europe/London",
                           cwd=tmp_path, env=env))
    assert "send 1: scheduled for 2099-12-04 08:00 Europe/London (2099-12-04 08:00 UTC)" in scheduled
    listed = ok(run_cli("sends", "list", cwd=tmp_path, env=env))
    assert "scheduled" in listed and "2099-12-04 08:00 Europe/London" in listed
    assert "send 1 cancelled" in ok(run_cli("sends", "cancel", "1", cwd=tmp_path, env=env))
    again = run_cli("sends", "cancel", "1", cwd=tmp_path, env=env)
    assert again.returncode == 1 and again.stderr.strip() == (
        "error: send 1 is cancelled; only a scheduled or held or sending or paused send can be made cancelled")
    past = run_cli("send", issue_id, "--list", "weekly", "--at", "2001-01-01 08:00", cwd=tmp_path, env=env)
    assert past.returncode == 1 and "is in the past" in past.stderr


def test_serve_sends_a_scheduled_issue_on_time_without_a_broker(tmp_path):
    env, _, issue_id = setup(tmp_path, people=12, poll_interval="0.5")
    # Far enough ahead for the command to start (~2.5 s on a loaded 2-core machine).
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=8)).strftime("%Y-%m-%d %H:%M:%S")
    ok(run_cli("send", issue_id, "--list", "weekly", "--at", at, cwd=tmp_path, env=env))
    server = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(free_port())], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while len(list((tmp_path / "outbox").glob("send-1/*.eml"))) < 12:
            assert time.monotonic() < deadline, "the scheduled send did not go out"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    status = ok(run_cli("sends", "status", "1", cwd=tmp_path, env=env))
    assert "send 1 sent: 12 accepted, 0 failed, 0 suppressed of 12" in status


def test_failed_recipients_are_listed_and_retried(tmp_path):
    env, url, issue_id = setup(tmp_path, people=4)
    ok(run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env))
    with transaction(url) as session:  # as if the relay had refused two of them
        move_deliveries(session, send_id=1, where=[Delivery.email.in_(["reader1@example.org", "reader3@example.org"])],
                        from_=DeliveryStatus.ACCEPTED, to=DeliveryStatus.FAILED, error="550 mailbox unavailable")
    failed = list(csv.DictReader(io.StringIO(ok(run_cli("sends", "failed", "1", cwd=tmp_path, env=env)))))
    assert [(r["email"], r["error"]) for r in failed] == [
        ("reader1@example.org", "550 mailbox unavailable"), ("reader3@example.org", "550 mailbox unavailable")]
    retried = ok(run_cli("sends", "retry", "1", cwd=tmp_path, env=env))
    assert "2 failed recipients queued again" in retried and "send 1 sent: 4 accepted, 0 failed" in retried
    paused = run_cli("sends", "pause", "1", cwd=tmp_path, env=env)
    assert paused.returncode == 1 and "send 1 is sent; only a sending send can be made paused" in paused.stderr


def test_send_test_goes_to_one_address_marked_as_a_test(tmp_path):
    env, _, issue_id = setup(tmp_path, people=1)
    out = ok(run_cli("send-test", issue_id, "--to", "Editor@Example.org", cwd=tmp_path, env=env))
    assert "sent to Editor@Example.org" in out
    [path] = (tmp_path / "outbox" / "transactional").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "editor@example.org" and message["Subject"].startswith("[Test] ")
    bad = run_cli("send-test", issue_id, "--to", "editor@example.org\r\nBcc: all@example.org", cwd=tmp_path, env=env)
    assert bad.returncode == 1 and "is not a valid address" in bad.stderr
    no_edition = run_cli("send-test", issue_id, "--to", "editor@example.org", "--edition", "fr", cwd=tmp_path, env=env)
    assert no_edition.returncode == 1 and "has no 'fr' edition (it has: en)" in no_edition.stderr
