"""Checks on user-written text and links, shared by issue files, the database and the web.

A link in an email must be an absolute http(s) URL: ``javascript:``, ``data:``, relative
links and links that smuggle credentials (``https://bank.example@evil.example``) are refused.
Text may not carry control characters; single-line text (anything that can reach a header)
may not carry line breaks at all, and loses its invisible formatting characters (see
:data:`HIDDEN_FORMAT`).
"""

import re
import unicodedata
from urllib.parse import urlsplit

#: The markers the renderer leaves for per-recipient values. User text may not contain them,
#: or a headline could pull another field (the recipient's address) into the message.
FIELD_MARKER_PREFIX = "__NL_"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")
#: Invisible characters that reorder or hide text: bidi marks, embeddings, overrides and
#: isolates (U+202E makes "invoice\u202Efdp.exe" read "invoiceexe.pdf"), zero-width spaces, word
#: joiners and the byte order mark. A one-line field (a headline, a subject, a
#: name) is shown in an inbox or a list where a reader cannot see them, so they are
#: removed there. Paragraphs keep them: some languages need them in running text. ZWNJ and
#: ZWJ (U+200C, U+200D) stay everywhere: Persian, Indic scripts and emoji need them.
HIDDEN_FORMAT = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def check_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` NFC-normalised and stripped (and, single-line, without
    :data:`HIDDEN_FORMAT` characters), or raise ValueError saying what is wrong."""
    if not multiline:
        value = HIDDEN_FORMAT.sub("", value)
    value = unicodedata.normalize("NFC", value).strip()
    if not value:
        raise ValueError("must not be empty")
    if not multiline and _LINE_BREAK.search(value):
        raise ValueError("must be a single line (no line breaks)")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    if FIELD_MARKER_PREFIX in value:
        raise ValueError(f"must not contain the reserved text {FIELD_MARKER_PREFIX!r}")
    return value


def check_url(value: str) -> str:
    """Return ``value`` if it is a safe absolute http(s) URL, or raise ValueError."""
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain spaces or control characters")
    if HIDDEN_FORMAT.search(value):  # RFC 3987 forbids them in links: they disguise where one goes
        raise ValueError("must not contain invisible formatting characters (such as U+202E)")
    if FIELD_MARKER_PREFIX in value:
        raise ValueError(f"must not contain the reserved text {FIELD_MARKER_PREFIX!r}")
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError as err:
        raise ValueError(f"is not a valid URL ({err})") from None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        raise ValueError(f"must be an absolute http:// or https:// URL, got {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain a user name or password (user@host)")
    return value


def check_https(value: str) -> str:
    """Return ``value`` if it is an https URL (a button or a logo: never plain http)."""
    if not value.lower().startswith("https://"):
        raise ValueError("must be an https:// URL")
    return value
