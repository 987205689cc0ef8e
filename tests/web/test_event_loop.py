"""Slow work in one request holds up no other: a sign-in's argon2 hash and a schedule's render
run in the thread pool, not on the event loop, so through a real uvicorn server another page
answers while they run. Asserted as an order of events with a wide margin (the other page
answers long before the slow request does), not as a timing benchmark."""

import shutil
import threading
import time
from pathlib import Path

import httpx
import jinja2
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from newsletter.config import REPOSITORY_ROOT
from newsletter.db import transaction
from newsletter.db.models import Send, User
from newsletter.subscribers import create_list
from tests.conftest import make_settings
from tests.web.conftest import (
    PASSWORD,
    LiveServer,
    add_user,
    csrf_of,
    free_port,
    sign_in,
    start_server,
)
from tests.web.test_admin_details import ready_issue

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def costly_hash(password: str, *, at_least: float = 2.0) -> tuple[str, float]:
    """An argon2id hash of ``password`` whose cost (time_cost) makes hashing it, and so checking
    it, take ``at_least`` seconds on this machine; and how long it took."""
    time_cost = 16
    while True:
        hasher = PasswordHasher(time_cost=time_cost, memory_cost=65536, parallelism=1)
        started = time.monotonic()
        hashed = hasher.hash(password)
        took = time.monotonic() - started
        if took >= at_least or time_cost >= 4096:
            return hashed, took
        time_cost *= 2


class Slow:
    """A request run in a thread: when it was answered, and its response."""

    def __init__(self, call):
        self.response: httpx.Response | None = None
        self.answered_at: float | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call) -> None:
        self.response = call()
        self.answered_at = time.monotonic()

    def wait(self) -> httpx.Response:
        self._thread.join(timeout=120)
        assert self.response is not None, "the slow request got no answer"
        return self.response


def answered_meanwhile(slow: Slow, client: httpx.Client, path: str, *, cost: float) -> float:
    """GET ``path`` a fifth of ``cost`` into ``slow``; when it was answered (after checking it was)."""
    time.sleep(cost / 5)  # the slow request is under way by now (it takes ``cost`` at least)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return time.monotonic()


@SQLITE
def test_a_page_answers_while_a_sign_in_checks_a_costly_password(live_server, editor):
    user_id = add_user(live_server.settings, "slow@example.org", "editor", "Sol Slow")
    hashed, cost = costly_hash(PASSWORD)
    with transaction(live_server.settings.database_url) as session:
        session.execute(update(User).where(User.id == user_id).values(password_hash=hashed))

    with httpx.Client(base_url=live_server.url, timeout=120) as visitor:
        token = csrf_of(visitor.get("/login").text)
        slow = Slow(lambda: visitor.post("/login", data={"email": "slow@example.org", "password": PASSWORD,
                                                         "csrf_token": token, "next": "/admin"}))
        other_answered_at = answered_meanwhile(slow, editor, "/admin/items", cost=cost)
        assert slow.wait().status_code == 303  # signed in: the costly hash was checked
    # On the event loop, the hash would have held the other page until the sign-in's answer.
    assert slow.answered_at - other_answered_at > cost / 4, (cost, slow.answered_at - other_answered_at)


def slow_templates(folder: Path, *, at_least: float = 1.5) -> Path:
    """A copy of the templates whose issue takes ``at_least`` seconds to render on this machine
    (its text part counts to a few million first: a big organisation's template, say)."""
    shutil.copytree(REPOSITORY_ROOT / "templates", folder)
    loop = jinja2.Environment().from_string("{% for _ in range(n) %}{% endfor %}")
    started = time.monotonic()
    loop.render(n=200_000)
    rounds = int(200_000 * at_least / max(time.monotonic() - started, 1e-3))
    issue = folder / "email" / "issue.txt.j2"
    issue.write_text(issue.read_text() + f"{{% for _ in range({rounds}) %}}{{% endfor %}}\n")
    return folder


@pytest.fixture
def slow_server(tmp_path: Path, database_url: str):
    """The web app over the slow templates, with a list to send to."""
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             templates_dir=slow_templates(tmp_path / "templates"))
    with transaction(database_url) as session:
        create_list(session=session, name="weekly")
    server, thread = start_server(settings)
    with httpx.Client(base_url=settings.base_url, timeout=120) as client:
        yield LiveServer(settings.base_url, settings, client)
    server.should_exit = True
    thread.join(timeout=10)


@SQLITE
def test_a_page_answers_while_an_issue_is_rendered_to_be_scheduled(slow_server):
    add_user(slow_server.settings, "ad@example.org", "admin", "Ada Admin")
    add_user(slow_server.settings, "ed@example.org", "editor", "Edith Editor")
    admin, editor = sign_in(slow_server, "ad@example.org"), sign_in(slow_server, "ed@example.org")
    admin.timeout = httpx.Timeout(120)
    issue_id = ready_issue(admin, 1)
    started = time.monotonic()
    assert admin.get(f"/api/issues/{issue_id}/preview").status_code == 200  # one render
    cost = time.monotonic() - started
    form = {"lists": "weekly", "at": "2099-12-04T08:00", "timezone": "UTC", "csrf_token": admin.csrf}
    slow = Slow(lambda: admin.post(f"/admin/issues/{issue_id}/schedule", data=form))  # checked, then rendered
    other_answered_at = answered_meanwhile(slow, editor, "/admin/items", cost=cost)
    assert slow.wait().status_code == 303
    admin.close()
    editor.close()
    with transaction(slow_server.settings.database_url) as session:
        assert session.scalars(select(Send.status)).all() == ["scheduled"]
    # On the event loop, the renders would have held the other page until the schedule's answer.
    assert slow.answered_at - other_answered_at > cost / 4, (cost, slow.answered_at - other_answered_at)
