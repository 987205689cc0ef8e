"""The distributed path: a real `celery worker` process, Redis as broker, PostgreSQL."""

import time

import pytest
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery
from tests.cli import cli_env, ok, run_cli
from tests.workers.processes import start_celery, stop
from tests.workers.test_embedded import write_inputs


@pytest.fixture
def worker(tmp_path, postgres_url, redis_url):
    env = cli_env(tmp_path, database_url=postgres_url, broker_url=redis_url, outbox_dir=tmp_path / "outbox")
    process = start_celery("worker", "--concurrency", "2", "--loglevel", "INFO", "--hostname", "test-worker@%h",
                           "--without-gossip", "--without-mingle", env=env, cwd=tmp_path, log=tmp_path / "worker.log")
    yield env
    stop(process)


def test_a_send_is_dispatched_by_a_separate_worker_process(tmp_path, worker, postgres_url):
    env = {**worker, "NEWSLETTER_BATCH_SIZE": "500"}
    csv_path, issue_path = write_inputs(tmp_path, people=1800)
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "import", str(csv_path), "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    issue_id = ok(run_cli("issue", "import", str(issue_path), cwd=tmp_path, env=env)).strip()

    queued = ok(run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env))
    assert "queued to" in queued and "accepted" not in queued  # no embedded worker ran

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with transaction(postgres_url) as session:
            statuses = dict(session.execute(select(Batch.status, func.count()).group_by(Batch.status)).all())
        if statuses == {"done": 4}:
            break
        time.sleep(0.25)
    log = (tmp_path / "worker.log").read_text()
    assert statuses == {"done": 4}, log
    with transaction(postgres_url) as session:
        accepted = session.scalar(select(func.count()).where(Delivery.status == "accepted"))
    assert accepted == 1800
    assert len(list((tmp_path / "outbox").glob("send-*/*.eml"))) == 1800
    assert log.count("Task newsletter.send_batch[") >= 4 and "succeeded" in log
