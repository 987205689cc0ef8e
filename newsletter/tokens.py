"""Signed tokens for the links in messages: bound to a purpose, and expiring where it matters.

A token is signed with NEWSLETTER_SECRET_KEY and salted with its purpose, so an unsubscribe
token cannot be used to confirm a subscription or open someone's preferences. A bad token
raises InvalidLinkError, whose message says nothing about whether an address exists.
"""

from enum import StrEnum
from typing import Any

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

from newsletter.errors import InvalidLinkError


class Purpose(StrEnum):
    UNSUBSCRIBE = "unsubscribe"  # [subscriber_id, list_id]; never expires (RFC 8058 links)
    CONFIRM = "confirm"  # [subscriber_id, list_id]; expires after CONFIRM_MAX_AGE
    PREFERENCES = "preferences"  # [subscriber_id]; never expires


CONFIRM_MAX_AGE = 7 * 24 * 3600


def make_token(secret_key: str, purpose: Purpose, *values: int) -> str:
    """A URL-safe token carrying ``values`` for ``purpose``."""
    if purpose is Purpose.CONFIRM:
        return URLSafeTimedSerializer(secret_key, salt=purpose.value).dumps(list(values))
    return URLSafeSerializer(secret_key, salt=purpose.value).dumps(list(values))


def read_token(secret_key: str, purpose: Purpose, token: str, arity: int) -> list[int]:
    """The values of a token made for ``purpose``, or InvalidLinkError."""
    try:
        if purpose is Purpose.CONFIRM:
            values: Any = URLSafeTimedSerializer(secret_key, salt=purpose.value).loads(token, max_age=CONFIRM_MAX_AGE)
        else:
            values = URLSafeSerializer(secret_key, salt=purpose.value).loads(token)
    except BadData:
        raise InvalidLinkError("this link is not valid or has expired") from None
    if not (isinstance(values, list) and len(values) == arity and all(type(v) is int for v in values)):
        raise InvalidLinkError("this link is not valid or has expired")
    return values
