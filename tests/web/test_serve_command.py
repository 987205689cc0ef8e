"""`newsletter serve` (the command docker-compose runs) starts, migrates and answers."""

import subprocess
import time

import httpx

from tests.cli import cli_env
from tests.conftest import BIN
from tests.web.conftest import free_port


def test_serve_migrates_and_answers(tmp_path):
    port = free_port()
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.json() == {"status": "ok"}
        assert "No issue has been sent yet." in httpx.get(f"http://127.0.0.1:{port}/archive").text
    finally:
        process.terminate()
        process.wait(timeout=10)
