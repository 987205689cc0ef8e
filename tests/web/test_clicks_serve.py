"""`newsletter serve` with a Redis: a click is buffered before its redirect, and the sweep's
own drain, run by the embedded worker, records it in the ledger with nobody else's help."""

import subprocess
import time
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from newsletter.tracking.click_stream import STREAM
from tests.cli import cli_env
from tests.conftest import BIN, make_settings
from tests.tracking.click_helpers import ITEM_LINKS, accepted_ago, clicks, send_issue
from tests.web.conftest import free_port
from tests.web.test_serve_command import wait_until_up


@pytest.mark.redis
def test_the_sweep_drains_the_clicks_serve_buffered(tmp_path, database_url, redis_url):
    port = free_port()
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{port}")
    sent = send_issue(settings)
    accepted_ago(database_url, 60)
    env = cli_env(tmp_path, database_url=database_url, base_url=settings.base_url, redis_url=redis_url,
                  poll_interval=0.5)
    process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port)
        path = urlsplit(sent.tracked_links("bo@example.org")[-1]).path
        answer = httpx.get(f"{settings.base_url}{path}")
        assert answer.status_code == 302 and answer.headers["location"] == ITEM_LINKS[2]
        deadline = time.monotonic() + 15
        while not clicks(database_url):
            assert time.monotonic() < deadline, "the sweep did not drain the click"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    [row] = clicks(database_url)
    assert (row.delivery_id, row.url, row.machine) == (sent.deliveries["bo@example.org"], ITEM_LINKS[2], False)
    assert redis.Redis.from_url(redis_url).xlen(STREAM) == 0
