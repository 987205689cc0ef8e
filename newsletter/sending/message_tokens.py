"""The tokens a send's messages carry: the tag that makes their Message-IDs unique to this
deployment (a bounce names its delivery by it: tracking/bounces.py), and each reader's signed
token in tracked links and the open image (tracking/links.py checks it)."""

import hashlib
import hmac

from newsletter.config import Settings
from newsletter.tokens import derived_key


def message_tag(settings: Settings, send_id: int) -> str:
    """The part of a send's Message-IDs that makes them unique to this deployment.

    A Message-ID is ``<send.delivery.tag@sender domain>``: the same on every retry of a
    delivery, and unique, since delivery ids are.
    """
    return hmac.new(settings.secret_key.encode(), f"send.{send_id}".encode(), hashlib.sha256).hexdigest()[:16]


# The token of a reader whose version of the message has no tracked link or open image (the
# field is still filled: SendGrid sends one substitution list per batch); it names no delivery.
NO_CLICK_TOKEN = "0"


def click_token(key: bytes, send_id: int, delivery_id: int) -> str:
    """The reader's token in send ``send_id``'s tracked links: ``<delivery id in hex>-<12 hex
    digits of HMAC-SHA256 over the send and the delivery>`` (48 bits). Lower-case letters, digits
    and a dash: HTML escaping leaves it as it is, so both parts of a message share it."""
    return f"{delivery_id:x}-{hmac.digest(key, b'%d.%d' % (send_id, delivery_id), 'sha256')[:6].hex()}"


def click_key(secret_key: str) -> bytes:
    """The key of click tokens, derived from NEWSLETTER_SECRET_KEY."""
    return derived_key(secret_key, b"newsletter.clicks")
