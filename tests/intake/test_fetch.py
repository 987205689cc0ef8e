"""The safe fetcher against a real local server: redirects, refusals, size and time limits."""

import socket
import threading
import time

import pytest

from newsletter.errors import FetchError
from newsletter.intake.fetch import HTML_TYPES, acceptable_address, fetch
from tests.conftest import make_settings


def test_a_redirect_chain_is_followed_to_the_page(pages, fetch_settings):
    final = pages.add("/story", "<title>Story</title>")
    pages.redirect("/r2", final, status=301)
    start = pages.redirect("/r1", "/r2", status=302)  # relative Location
    fetched = fetch(start, settings=fetch_settings)
    assert fetched.url == final and fetched.status == 200 and b"Story" in fetched.body
    assert pages.hits["/r1"] == pages.hits["/r2"] == pages.hits["/story"] == 1


def test_more_than_five_redirects_are_refused(pages, fetch_settings):
    for n in range(7):
        pages.redirect(f"/loop{n}", f"/loop{n + 1}")
    with pytest.raises(FetchError, match="more than 5"):
        fetch(pages.url("/loop0"), settings=fetch_settings)


def test_a_conditional_get_gets_a_304(pages, fetch_settings):
    url = pages.add("/feed.xml", "<rss/>", content_type="application/rss+xml", etag='"v1"')
    first = fetch(url, settings=fetch_settings)
    again = fetch(url, settings=fetch_settings, etag=first.etag)
    assert first.status == 200 and first.etag == '"v1"'
    assert again.status == 304 and again.body == b"" and pages.conditional["/feed.xml"] == 1


def test_a_conditional_get_by_date_gets_a_304(pages, fetch_settings):
    url = pages.add("/feed.xml", "<rss/>", content_type="application/rss+xml",
                    last_modified="Tue, 01 Dec 2026 09:00:00 GMT")
    first = fetch(url, settings=fetch_settings)
    again = fetch(url, settings=fetch_settings, last_modified=first.last_modified)
    assert first.status == 200 and first.last_modified == "Tue, 01 Dec 2026 09:00:00 GMT" and first.etag is None
    assert again.status == 304 and again.body == b"" and pages.conditional["/feed.xml"] == 1


def test_a_chain_of_slow_redirects_is_stopped_at_the_one_deadline(pages, tmp_path):
    """Each hop answers within the timeout, the chain does not: the limit covers the whole fetch."""
    settings = make_settings(tmp_path, fetch_allow_private=True, fetch_timeout=1)
    pages.add("/story", "<title>Story</title>")
    for n in range(4):
        pages.redirect(f"/slow{n}", f"/slow{n + 1}" if n < 3 else "/story", delay=0.4)
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 1 seconds"):
        fetch(pages.url("/slow0"), settings=settings)
    assert time.monotonic() - started < 1.4
    assert pages.hits["/story"] == 0


def test_a_server_dripping_its_headers_is_stopped_at_the_deadline(tmp_path):
    """Each byte comes in time for a read, the whole answer never does."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(60):  # 3 seconds of it, then the connection closes: a test that cannot hang
                if stop.wait(0.05):
                    return
                try:
                    connection.sendall(b"a")
                except OSError:  # the fetcher gave up and closed the connection
                    return

    threading.Thread(target=drip, daemon=True).start()
    settings = make_settings(tmp_path, fetch_allow_private=True, fetch_timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="did not answer within 1 seconds"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/story", settings=settings)
        assert time.monotonic() - started < 1.5
    finally:
        stop.set()
        listener.close()


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_into_a_private_address_is_refused(pages, tmp_path, target):
    """The first hop is allowed (its host is named in NEWSLETTER_FETCH_ALLOWED_HOSTS); the
    redirect's address is checked again, and refused, before anything connects to it."""
    settings = make_settings(tmp_path, fetch_allowed_hosts="localhost", fetch_timeout=2)
    pages.add("/secret", "<title>internal</title>")
    start = pages.redirect("/out", target.format(port=pages.port))
    with pytest.raises(FetchError, match="private, local or reserved address"):
        fetch(start.replace("127.0.0.1", "localhost"), settings=settings)
    assert pages.hits["/out"] == 1 and pages.hits["/secret"] == 0


def test_private_addresses_are_refused_by_default(pages, settings):
    with pytest.raises(FetchError, match="127.0.0.1"):
        fetch(pages.add("/x", "<p>x"), settings=settings)
    assert pages.hits["/x"] == 0


@pytest.mark.parametrize("url, message", [
    ("ftp://example.org/file", "only http"), ("file:///etc/passwd", "only http"),
    ("https://user:pw@example.org/", "user name"), ("http://", "only http"),
])
def test_links_that_are_not_web_links_are_refused(url, message, settings):
    with pytest.raises(FetchError, match=message):
        fetch(url, settings=settings)


@pytest.mark.parametrize("address, ok", [
    ("93.184.216.34", True), ("10.1.2.3", False), ("127.0.0.1", False), ("169.254.169.254", False),
    ("100.64.0.1", False), ("::1", False), ("::ffff:127.0.0.1", False), ("fe80::1", False),
    ("224.0.0.1", False), ("2606:4700::1111", True), ("0.0.0.0", False),
])
def test_which_addresses_are_public(address, ok):
    assert acceptable_address(address) is ok


def test_a_50_mb_body_is_cut_off_at_the_cap(pages, fetch_settings):
    url = pages.add("/huge", stream_bytes=50 * 1024 * 1024)
    with pytest.raises(FetchError, match="larger than 5 MB"):
        fetch(url, settings=fetch_settings)


def test_a_slow_server_is_timed_out(pages, tmp_path):
    settings = make_settings(tmp_path, fetch_allow_private=True, fetch_timeout=0.5)
    url = pages.add("/slow", "<p>late</p>", delay=2)
    with pytest.raises(FetchError, match="did not answer within 0.5 seconds"):
        fetch(url, settings=settings)


@pytest.mark.parametrize("status", [404, 500])
def test_an_error_status_is_reported(pages, fetch_settings, status):
    with pytest.raises(FetchError, match=f"answered {status}"):
        fetch(pages.add("/e", "no", status=status), settings=fetch_settings)


def test_only_pages_and_feeds_are_read(pages, fetch_settings):
    url = pages.add("/photo.jpg", b"\xff\xd8", content_type="image/jpeg")
    with pytest.raises(FetchError, match="image/jpeg, not a web page"):
        fetch(url, settings=fetch_settings, accept=HTML_TYPES)
