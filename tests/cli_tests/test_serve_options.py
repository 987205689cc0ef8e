"""`newsletter serve` as deployed: whose X-Forwarded-For it believes, and links that lead elsewhere."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN
from tests.web.conftest import free_port
from tests.web.test_serve_command import wait_until_up


@contextmanager
def serving(tmp_path: Path, env: dict[str, str], *args: str) -> Iterator[tuple[int, list[str]]]:
    """`newsletter serve ARGS` on a free port: (port, its stderr, filled in when it stops)."""
    port = free_port()
    stderr: list[str] = []
    process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port), *args], cwd=tmp_path,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(port)
        yield port, stderr
    finally:
        process.terminate()
        stderr.extend(process.communicate(timeout=30)[1].splitlines())


def env_with_a_list(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}", subscribe_rate_limit="2/minute",
                  **settings)
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    return env


def subscribe(port: int, n: int, forwarded_for: str) -> int:
    response = httpx.post(f"http://127.0.0.1:{port}/subscribe/weekly", data={"email": f"p{n}@example.org"},
                          headers={"X-Forwarded-For": forwarded_for}, timeout=10)
    return response.status_code


def test_a_forged_x_forwarded_for_gets_no_fresh_limit(tmp_path):
    """Without NEWSLETTER_TRUSTED_PROXIES nobody's X-Forwarded-For is believed, 127.0.0.1's neither."""
    env = env_with_a_list(tmp_path)
    with serving(tmp_path, env) as (port, _):
        answers = [subscribe(port, n, forwarded_for=f"203.0.113.{n}") for n in range(1, 6)]
    assert answers[:2] == [200, 200]
    assert set(answers[2:]) == {429}


def test_a_trusted_proxy_passes_on_each_clients_address(tmp_path):
    env = env_with_a_list(tmp_path, trusted_proxies="10.9.0.0/16, 127.0.0.1")
    with serving(tmp_path, env) as (port, _):
        answers = [subscribe(port, n, forwarded_for=f"203.0.113.{n}") for n in range(1, 6)]
        same_client = [subscribe(port, n, forwarded_for="198.51.100.7") for n in range(6, 9)]
    assert answers == [200] * 5
    assert same_client == [200, 200, 429]


def test_a_trusted_proxy_that_is_not_an_address_is_refused(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}", trusted_proxies="proxy.local")
    result = run_cli("serve", "--port", str(free_port()), cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "trusted_proxies" in result.stderr and "proxy.local" in result.stderr


def base_url_warnings(stderr: list[str]) -> list[str]:
    return [line for line in stderr if "NEWSLETTER_BASE_URL" in line]


def test_serve_warns_when_links_point_where_it_does_not_listen(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}")
    del env["NEWSLETTER_BASE_URL"]  # the default, http://localhost:8000
    with serving(tmp_path, env) as (port, stderr):
        pass
    [warning] = base_url_warnings(stderr)
    assert warning.startswith("warning: ")
    assert "http://localhost:8000" in warning and f"NEWSLETTER_BASE_URL=http://localhost:{port}" in warning


def test_serve_is_quiet_when_links_point_where_it_listens(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}")
    port = free_port()
    for base_url, host in ((f"http://localhost:{port}", "127.0.0.1"), (f"http://127.0.0.1:{port}", "0.0.0.0"),
                           ("https://news.example.org", "127.0.0.1")):  # behind a proxy: not ours to judge
        env["NEWSLETTER_BASE_URL"] = base_url
        process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--host", host, "--port", str(port)],
                                   cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_until_up(port)
        finally:
            process.terminate()
            stderr = process.communicate(timeout=30)[1].splitlines()
        assert base_url_warnings(stderr) == [], (base_url, host, stderr)
