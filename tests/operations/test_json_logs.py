"""NEWSLETTER_LOG_FORMAT=json: every line a JSON object with time, level, logger and message,
and the ids of what it is about; in a real worker and a real `newsletter serve`."""

import datetime as dt
import json
import logging
import subprocess
import time

import httpx

from newsletter.operations.logging import JsonFormatter, configure_logging, log_context
from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN, make_settings
from tests.operations.test_metrics_processes import wait_for_batches
from tests.web.conftest import free_port
from tests.web.test_serve_command import wait_until_up
from tests.workers.processes import stop
from tests.workers.test_embedded import write_inputs


def record(message: str, *args, level=logging.INFO, **extra) -> logging.LogRecord:
    made = logging.LogRecord("newsletter.sending.dispatch", level, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_line_has_time_level_logger_message_and_the_ids_given_or_in_context():
    formatter = JsonFormatter()
    plain = json.loads(formatter.format(record("batch %s: %s", 7, "done")))
    assert set(plain) == {"time", "level", "logger", "message"}
    assert plain["message"] == "batch 7: done" and plain["level"] == "INFO"
    assert plain["logger"] == "newsletter.sending.dispatch"
    assert abs(dt.datetime.fromisoformat(plain["time"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)

    with log_context(batch_id=12):
        with log_context(send_id=3):
            nested = json.loads(formatter.format(record("x", delivery_id=99)))
        outer = json.loads(formatter.format(record("y", batch_id=13)))  # given beats context
    after = json.loads(formatter.format(record("z")))
    assert (nested["send_id"], nested["batch_id"], nested["delivery_id"]) == (3, 12, 99)
    assert outer["batch_id"] == 13 and "send_id" not in outer
    assert "batch_id" not in after


def test_an_exception_stays_on_its_line():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        import sys

        made = record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    text = JsonFormatter().format(made)
    assert "\n" not in text
    assert "ValueError: bad\nthing" in json.loads(text)["exception"]


def test_the_text_format_leaves_logging_alone(tmp_path):
    root = logging.getLogger()
    handlers = list(root.handlers)
    assert configure_logging(make_settings(tmp_path)) is False
    assert root.handlers == handlers


def json_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for entry in lines:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
    return lines


def test_a_worker_logs_json_with_the_batch_ids(tmp_path, postgres_url, redis_url):
    env = cli_env(tmp_path, database_url=postgres_url, broker_url=redis_url, outbox_dir=tmp_path / "outbox",
                  batch_size=10, log_format="json")
    csv_path, issue_path = write_inputs(tmp_path, people=20)
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "import", str(csv_path), "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    issue_id = ok(run_cli("issue", "import", str(issue_path), cwd=tmp_path, env=env)).strip()
    ok(run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env))
    log = tmp_path / "worker.log"
    with log.open("w") as err:
        worker = subprocess.Popen([str(BIN / "celery"), "-A", "workers", "worker", "--concurrency", "1",
                                   "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
                                  cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        wait_for_batches(postgres_url, {"done": 2}, [log])
        time.sleep(0.5)  # the task's last lines
    finally:
        stop(worker)
    lines = json_lines(log.read_text())
    batches = [entry for entry in lines if entry["logger"] == "workers.tasks"]
    assert len(batches) == 2 and {entry["batch_id"] for entry in batches} == {1, 2}
    assert all("done: 10 accepted, 0 failed" in entry["message"] for entry in batches)
    assert any(entry["logger"].startswith("celery") and "ready" in entry["message"] for entry in lines)


def test_serve_logs_json_including_the_requests(tmp_path):
    port = free_port()
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}", log_format="json")
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                                   stdout=subprocess.DEVNULL, stderr=err)
    try:
        wait_until_up(port)
        httpx.get(f"http://127.0.0.1:{port}/archive")
    finally:
        process.terminate()
        process.wait(timeout=10)
    lines = json_lines(log.read_text())
    assert any(entry["logger"] == "uvicorn.access" and "GET /archive" in entry["message"] for entry in lines)
    assert any(entry["logger"] == "uvicorn.error" and "Uvicorn running" in entry["message"] for entry in lines)
