"""A real HTTP server (uvicorn in a thread) running the web app on a free port."""

import email
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import uvicorn

from newsletter.accounts import create_user
from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.subscribers import create_list
from newsletter.web import create_app
from tests.conftest import make_settings


@dataclass
class LiveServer:
    url: str
    settings: Settings
    client: httpx.Client

    def outbox(self, folder: str = "transactional") -> list[EmailMessage]:
        """Messages the file provider wrote, oldest first."""
        paths = sorted((self.settings.outbox_dir / folder).glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings: Settings) -> tuple[uvicorn.Server, threading.Thread]:
    port = int(settings.base_url.rsplit(":", 1)[1])
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.02)
    return server, thread


@pytest.fixture
def live_server(tmp_path: Path, database_url: str):
    settings = make_settings(tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{free_port()}",
                             subscribe_rate_limit="3/minute")
    with transaction(database_url) as session:
        create_list(session=session, name="weekly", title="The Weekly Brief")
        create_list(session=session, name="weekly-es", title="El Resumen Semanal")
    server, thread = start_server(settings)
    with httpx.Client(base_url=settings.base_url, timeout=10) as client:
        yield LiveServer(settings.base_url, settings, client)
    server.should_exit = True
    thread.join(timeout=10)


PASSWORD = "correct horse battery staple"


def add_user(settings: Settings, email: str, role: str = "editor", name: str | None = None) -> int:
    """A user who signs in with PASSWORD; their id."""
    with transaction(settings.database_url) as session:
        return create_user(session=session, email=email, name=name or email.split("@")[0].title(), role=role,
                           password=PASSWORD).id


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (in its <meta name="csrf-token">)."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def sign_in(server: LiveServer, email: str, password: str = PASSWORD) -> httpx.Client:
    """A new client signed in as ``email`` (it carries the session cookie; ``client.csrf`` is the token)."""
    client = httpx.Client(base_url=server.url, timeout=20)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/admin"})
    assert response.status_code == 303, response.text
    client.csrf = csrf_of(client.get("/admin/items").text)  # a new session has a new token
    return client


@pytest.fixture
def editor(live_server) -> httpx.Client:
    """A client signed in as an editor."""
    add_user(live_server.settings, "ed@example.org", "editor", "Edith Editor")
    client = sign_in(live_server, "ed@example.org")
    yield client
    client.close()


@pytest.fixture
def admin(live_server) -> httpx.Client:
    """A client signed in as an admin."""
    add_user(live_server.settings, "ad@example.org", "admin", "Ada Admin")
    client = sign_in(live_server, "ad@example.org")
    yield client
    client.close()
