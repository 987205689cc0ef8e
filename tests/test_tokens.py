"""Signed link tokens: bound to their purpose, tamper-evident, and expiring where they must."""

import time

import pytest

from newsletter.errors import InvalidLinkError
from newsletter.tokens import CONFIRM_MAX_AGE, Purpose, make_token, read_token

SECRET = "test-secret"


@pytest.mark.parametrize("purpose", list(Purpose))
def test_a_token_reads_back_its_values_for_its_purpose_only(purpose):
    token = make_token(SECRET, purpose, 123456, 7)
    assert read_token(SECRET, purpose, token, arity=2) == [123456, 7]
    for other in set(Purpose) - {purpose}:
        with pytest.raises(InvalidLinkError):
            read_token(SECRET, other, token, arity=2)


@pytest.mark.parametrize(
    "token",
    [
        make_token(SECRET, Purpose.UNSUBSCRIBE, 1, 2)[:-1] + "A",  # tampered signature
        make_token("another-secret", Purpose.UNSUBSCRIBE, 1, 2),
        make_token(SECRET, Purpose.UNSUBSCRIBE, 1),  # wrong arity
        "1.2",
        "",
        "x.y." + make_token(SECRET, Purpose.UNSUBSCRIBE, 1, 2).rsplit(".", 1)[1],
    ],
)
def test_anything_else_is_an_invalid_link(token):
    with pytest.raises(InvalidLinkError, match="not valid or has expired"):
        read_token(SECRET, Purpose.UNSUBSCRIBE, token, arity=2)


def test_confirmation_links_expire(monkeypatch):
    token = make_token(SECRET, Purpose.CONFIRM, 1, 2)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + CONFIRM_MAX_AGE + 5)
    with pytest.raises(InvalidLinkError):
        read_token(SECRET, Purpose.CONFIRM, token, arity=2)
    assert read_token(SECRET, Purpose.UNSUBSCRIBE, make_token(SECRET, Purpose.UNSUBSCRIBE, 1, 2), arity=2) == [1, 2]
