"""/healthz says the process is up whatever else is down; /readyz says whether the database
and the broker can be reached, which one cannot, and recovers when it comes back. "Down" is a
port nothing listens on, which a forwarder to the shared server then opens: the shared
PostgreSQL and Redis are never stopped."""

import socket
import threading
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import make_url

from newsletter.operations.health import readiness
from tests.conftest import make_settings
from tests.web.conftest import free_port, start_server


class Forwarder:
    """Listens on ``port`` and relays every connection to ``target`` (host, port)."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", port))
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        """Stop listening and cut every relayed connection (shutdown wakes the blocked threads)."""
        for s in (self.listener, *self.connections):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.fixture
def forwarders():
    opened = []
    yield lambda port, target: opened.append(Forwarder(port, target)) or opened[-1]
    for forwarder in opened:
        forwarder.close()


@pytest.fixture
def web(tmp_path):
    running = []

    def start(**overrides):
        settings = make_settings(tmp_path, base_url=f"http://127.0.0.1:{free_port()}", **overrides)
        running.append(start_server(settings))
        return settings.base_url

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


def test_healthz_answers_without_the_database(web):
    url = web(database_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{url}/readyz").status_code == 503


def test_readyz_names_an_unreachable_broker_and_recovers_when_it_answers(web, sqlite_template, tmp_path,
                                                                          redis_url, forwarders):
    redis = urlsplit(redis_url)
    port = free_port()
    url = web(database_url=f"sqlite:///{sqlite_template}", broker_url=f"redis://127.0.0.1:{port}/15")
    down = httpx.get(f"{url}/readyz", timeout=10)
    assert down.status_code == 503
    assert down.json() == {"status": "unavailable", "checks": {"database": "ok", "broker": "unreachable"}}

    forwarders(port, (redis.hostname, redis.port))
    up = httpx.get(f"{url}/readyz", timeout=10)
    assert up.status_code == 200
    assert up.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.postgres
def test_readyz_names_an_unreachable_database_and_recovers_when_it_answers(web, postgres_url, forwarders):
    real = make_url(postgres_url)
    port = free_port()
    url = web(database_url=real.set(host="127.0.0.1", port=port).render_as_string(hide_password=False))
    down = httpx.get(f"{url}/readyz", timeout=10)
    assert down.status_code == 503 and down.json()["checks"] == {"database": "unreachable"}

    forwarder = forwarders(port, (real.host or "127.0.0.1", real.port or 5432))
    assert httpx.get(f"{url}/readyz", timeout=10).json() == {"status": "ready", "checks": {"database": "ok"}}

    forwarder.close()  # down again, with connections in the app's pool: they are found broken
    assert httpx.get(f"{url}/readyz", timeout=10).status_code == 503
    forwarders(port, (real.host or "127.0.0.1", real.port or 5432))
    assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200


def test_readiness_says_what_failed(tmp_path):
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'missing' / 'x.db'}",
                             broker_url=f"redis://127.0.0.1:{free_port()}/0")
    database, broker = readiness(settings)
    assert (database.name, database.ok) == ("database", False) and "unable to open" in database.problem
    assert (broker.name, broker.ok) == ("broker", False) and "refused" in broker.problem.lower()
