"""A local web server for intake's pages and feeds, and settings that may fetch from it."""

import pytest

from tests.conftest import make_settings
from tests.fakes.web_pages import PageServer


@pytest.fixture
def pages():
    """A real HTTP server on 127.0.0.1 (see tests/fakes/web_pages.py)."""
    with PageServer() as server:
        yield server


@pytest.fixture
def fetch_settings(tmp_path):
    """Settings that let intake fetch 127.0.0.1 (the test server), with short limits."""
    return make_settings(tmp_path, fetch_allow_private=True, fetch_timeout=2, fetch_max_mb=5)
