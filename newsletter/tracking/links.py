"""A send's tracked links, read back: each reader's token, and each send's link table.

A tracked link is ``/c/<send>/<link>/<token>``: sending/create.py numbers a send's links in
its link table (``send_links``) and sending/dispatch.py signs each reader's token. The redirect
goes only to the address the table holds for that number, so ``/c/`` is never an open
redirect. A send's links never change once it exists, so a process reads each table once.
"""

import hmac
import threading
import time

from sqlalchemy import select

from newsletter.content.models import MAX_DB_INT
from newsletter.db.engine import transaction
from newsletter.db.models import SendLink
from newsletter.sending.message_tokens import click_key, click_token

_HEX = frozenset("0123456789abcdef")


def delivery_of_token(secret_key: str, send_id: int, token: str) -> int | None:
    """The delivery a reader's token in send ``send_id`` names; None when it names none (cut
    short, tampered with, made for another send or with another key, or a reader's whose list
    does not track clicks)."""
    number, dash, _ = token.partition("-")
    if not dash or not 0 < len(number) <= 8 or not _HEX.issuperset(number) or len(token) > 40:
        return None
    delivery_id = int(number, 16)
    expected = click_token(click_key(secret_key), send_id, delivery_id)
    return delivery_id if 0 < delivery_id <= MAX_DB_INT and hmac.compare_digest(token, expected) else None


def link_number(text: str) -> int | None:
    """A send's or a link's id from a path segment; None for anything else (no id of ours)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_DB_INT else None


class LinkTables:
    """The link tables of the sends clicked in this process, each read from the database once.

    A send with no table (unknown, or sent with plain links) is remembered as such for
    ``forget_unknown_after`` seconds, so a run of clicks on a foreign link costs one query.
    At most ``sends`` tables of each kind are kept (the oldest go first).
    """

    def __init__(self, database_url: str, *, sends: int = 2048, forget_unknown_after: float = 60.0):
        self.database_url = database_url
        self.sends = sends
        self.forget_unknown_after = forget_unknown_after
        self._tables: dict[int, tuple[str, ...]] = {}
        self._unknown: dict[int, float] = {}
        self._lock = threading.Lock()

    def cached(self, send_id: int) -> tuple[str, ...] | None:
        """The send's links if this process has them (no I/O): link ``n`` is at ``n - 1``; an
        empty tuple for a send known to have none; None when the database must be asked."""
        table = self._tables.get(send_id)
        if table is not None:
            return table
        seen = self._unknown.get(send_id)
        if seen is not None and time.monotonic() - seen < self.forget_unknown_after:
            return ()
        return None

    def load(self, send_id: int) -> tuple[str, ...]:
        """The send's links, from the database (empty: the send has none)."""
        with transaction(self.database_url) as session:
            rows = session.execute(
                select(SendLink.link_id, SendLink.url).where(SendLink.send_id == send_id).order_by(SendLink.link_id)
            ).all()
        table = tuple(url for _, url in rows)
        if [link_id for link_id, _ in rows] != list(range(1, len(rows) + 1)):  # numbered 1..n at creation
            table = ()
        with self._lock:
            store, value = (self._tables, table) if table else (self._unknown, time.monotonic())
            if len(store) >= self.sends:
                store.pop(next(iter(store)))
            store[send_id] = value
        return table
