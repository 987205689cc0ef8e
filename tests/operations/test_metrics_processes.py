"""/metrics adds up what separate worker processes counted, read by `newsletter serve`:
Redis as broker, PostgreSQL, two `celery worker` processes, one shared metrics folder."""

import subprocess
import time

import httpx
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Batch
from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN
from tests.operations.helpers import scrape, value
from tests.web.conftest import free_port
from tests.web.test_serve_command import wait_until_up
from tests.workers.processes import start_celery, stop
from tests.workers.test_embedded import write_inputs

TOKEN = "a-long-random-metrics-token"


def wait_for_batches(database_url: str, expected: dict[str, int], logs: list) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with transaction(database_url) as session:
            statuses = dict(session.execute(select(Batch.status, func.count()).group_by(Batch.status)).all())
        if statuses == expected:
            return
        time.sleep(0.25)
    raise AssertionError(f"{statuses} != {expected}\n" + "\n".join(log.read_text() for log in logs))


def test_metrics_add_up_two_worker_processes_and_need_the_token(tmp_path, postgres_url, redis_url):
    metrics_dir = tmp_path / "metrics"
    env = cli_env(tmp_path, database_url=postgres_url, broker_url=redis_url, outbox_dir=tmp_path / "outbox",
                  batch_size=25, metrics_dir=metrics_dir, metrics_token=TOKEN)
    csv_path, issue_path = write_inputs(tmp_path, people=400)  # 16 batches of 25
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "import", str(csv_path), "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    issue_id = ok(run_cli("issue", "import", str(issue_path), cwd=tmp_path, env=env)).strip()
    port = free_port()
    web = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    try:
        wait_until_up(port)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/metrics").status_code == 401
        assert httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401

        # Queued, and no worker yet: the tasks wait in Redis.
        ok(run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env))
        before = scrape(base, TOKEN)
        assert value(before, "newsletter_queue_messages", queue="celery") == 16
        assert value(before, "newsletter_sends", state="sending") == 1
        assert value(before, "newsletter_unfinished_batches", state="pending") == 16
        assert value(before, "newsletter_dependency_up", dependency="broker") == 1

        logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
        for n, log in enumerate(logs, 1):
            workers.append(start_celery(
                "worker", "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"worker{n}@%h",
                "--without-gossip", "--without-mingle", env=env, cwd=tmp_path, log=log))
        wait_for_batches(postgres_url, {"done": 16}, logs)
        for log in logs:  # both processes did some of the work
            assert "Task newsletter.send_batch[" in log.read_text()

        after = scrape(base, TOKEN)
        assert value(after, "newsletter_batches_total", provider="file", outcome="sent") == 16
        assert value(after, "newsletter_recipients_total", provider="file", outcome="accepted") == 400
        assert value(after, "newsletter_provider_call_seconds_count", provider="file") == 16
        assert value(after, "newsletter_batches_in_progress", provider="file") == 0
        assert value(after, "newsletter_sends", state="sent") == 1
        assert value(after, "newsletter_queue_messages", queue="celery") == 0
        groups = [folder for folder in metrics_dir.iterdir() if list(folder.glob("counter_*.db"))]
        assert len(groups) == 2, sorted(metrics_dir.rglob("*"))  # one folder per worker, each with counts

        for worker in workers:
            stop(worker)
        # Stopped pool processes are marked dead: their live gauges no longer count.
        assert list(metrics_dir.glob("*/gauge_livesum_*.db")) == []
        assert value(scrape(base, TOKEN), "newsletter_batches_total", provider="file", outcome="sent") == 16
    finally:
        for worker in workers:
            stop(worker)
        web.terminate()
        web.wait(timeout=10)
