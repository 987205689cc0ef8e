"""`newsletter serve` (the command docker-compose runs) starts, migrates and answers."""

import subprocess
import time

import httpx
from playwright.sync_api import expect

from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN
from tests.web.conftest import PASSWORD, free_port
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture


def wait_until_up(port: int) -> httpx.Response:
    """The first answer of /healthz, within 60 s (a loaded machine starts the server slowly)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer within 60 s")


def test_serve_migrates_and_answers(tmp_path):
    port = free_port()
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_until_up(port).json() == {"status": "ok"}
        assert "No issue has been sent yet." in httpx.get(f"http://127.0.0.1:{port}/archive").text
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_imports_an_uploaded_file_in_the_background_and_the_page_follows_it(tmp_path, browser):  # noqa: F811
    """In a real browser against `newsletter serve` without a broker: the upload is queued,
    the embedded sweep hands it to the embedded worker, and the list page, polling, shows
    the report by itself."""
    port = free_port()
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}", base_url=f"http://127.0.0.1:{port}",
                  poll_interval=1)
    ok(run_cli("users", "create", "ad@example.org", "--admin", "--password", PASSWORD, cwd=tmp_path, env=env))
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    (tmp_path / "people.csv").write_text("email,name\nana@example.org,Ana\nnot-an-address,X\nben@example.org,Ben\n")
    process = subprocess.Popen([str(BIN / "newsletter"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(port)
        page = browser.new_context().new_page()
        page.goto(f"http://127.0.0.1:{port}/login")
        page.get_by_label("Email address").fill("ad@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"http://127.0.0.1:{port}/admin/lists/weekly")
        page.get_by_label("CSV file").set_input_files(tmp_path / "people.csv")
        page.get_by_label("These people have consented (confirmed)").check()
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_text("people.csv is uploaded; this page follows its import.")).to_be_visible()
        report = page.locator("#import-result")
        expect(report).to_contain_text("3 rows: 2 accepted, 1 rejected.", timeout=30_000)  # reloaded by itself
        expect(page.locator("#import-progress")).to_have_count(0)
        expect(page.get_by_text("2 confirmed · 0 pending")).to_be_visible()
        page.context.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
