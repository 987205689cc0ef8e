"""Kept counts of each send, written in the transaction that records the events, so that a
report reads a few rows instead of recounting a ledger of millions (and still reads them once
retention has deleted the raw events).

For events tied to a delivery (the report counts no others), three tables are added to:

- ``send_counts``: per send and name, the events of each kind (``delivered``, ``deferred``,
  ``bounced_hard``, ``bounced_soft``, ``dropped``, ``complained``, ``unsubscribed``,
  ``opened_human``/``_machine``, ``clicked_human``/``_machine``), and the recipients with at
  least one (``unique_`` + a name of FIRSTS: ``unique_delivered``, ``unique_bounced`` (hard or
  soft), ``unique_clicked_human``, ...);
- ``send_link_counts``: per send and link, human and machine clicks and human clickers;
- ``send_domain_counts``: per send and recipient domain, recipients delivered and bounced.

A recipient is counted in a unique count at their first event of that kind only: the first
inserts a ``delivery_firsts`` row (delivery, what), and only an insert that the primary key
let through counts. Concurrent writers are exact: the second insert of the same key waits
for the first transaction and then finds the row. The increments of a delivery of events are
added up here and written in one upsert per table (``n = n + excluded.n``), rows in key order
so that concurrent writers lock them in the same order.
"""

from collections import Counter
from collections.abc import Iterable
from functools import cache

import orjson
from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from newsletter.db.engine import dialect_insert, one_of
from newsletter.db.models import (
    DeliveryEvent,
    DeliveryFirst,
    SendCount,
    SendDomainCount,
    SendLink,
    SendLinkCount,
)

# Each ledger kind's name in send_counts (a bounce by its hardness, opens and clicks by who).
_EVENT_NAMES = {"delivered": "delivered", "deferred": "deferred", "dropped": "dropped", "complained": "complained",
                "unsubscribed": "unsubscribed"}
# The unique counts ("unique_" + name), each counting a delivery's first event of that kind.
FIRSTS = ("delivered", "deferred", "bounced", "bounced_hard", "bounced_soft", "dropped", "complained",
          "unsubscribed", "opened", "opened_human", "clicked", "clicked_human")


def event_name(row: dict) -> str | None:
    """The send_counts name of a ledger row's event (None for a kind not counted: ``queued``)."""
    kind = row["kind"]
    if kind == "bounced":
        return "bounced_hard" if row["bounce"] == "hard" else "bounced_soft"
    if kind in ("opened", "clicked"):
        return f"{kind}_{'machine' if row['machine'] else 'human'}"
    return _EVENT_NAMES.get(kind)


def firsts_of(row: dict, link_id: int | None) -> list[str]:
    """What a ledger row's event may be a delivery's first of (``link:<id>`` for a human click
    on a tracked link)."""
    kind = row["kind"]
    if kind == "bounced":
        return ["bounced", event_name(row)]
    if kind in ("opened", "clicked"):
        if row["machine"]:
            return [kind]
        return [kind, f"{kind}_human"] + ([f"link:{link_id}"] if kind == "clicked" and link_id is not None else [])
    return [kind] if kind in _EVENT_NAMES else []


def domain(email: str) -> str:
    """An address's domain as the reports group it: after its first @, lower case."""
    return email.partition("@")[2].lower()


def tally(rows: list[dict], links: dict[str, int], new_firsts: Iterable[tuple[int, str]]):
    """The increments of newly recorded ``rows`` (each tied to a delivery and a send): (send
    counts {(send, name): n}, link counts {(send, link): [human, machine, clickers]}, domain
    counts {(send, domain): [delivered, bounced]}). ``links``: the link id of each click's
    event id; ``new_firsts``: the (delivery, what) that these rows are the first of."""
    sends: Counter = Counter()
    by_link: dict[tuple[int, int], list[int]] = {}
    by_domain: dict[tuple[int, str], list[int]] = {}
    owner = {}
    for row in rows:
        owner[row["delivery_id"]] = row
        name = event_name(row)
        if name is None:
            continue
        sends[row["send_id"], name] += 1
        link_id = links.get(row["event_id"])
        if link_id is not None:
            by_link.setdefault((row["send_id"], link_id), [0, 0, 0])[1 if row["machine"] else 0] += 1
    for delivery_id, what in new_firsts:
        row = owner[delivery_id]
        if what.startswith("link:"):
            by_link.setdefault((row["send_id"], int(what[5:])), [0, 0, 0])[2] += 1
            continue
        sends[row["send_id"], f"unique_{what}"] += 1
        if what in ("delivered", "bounced"):
            by_domain.setdefault((row["send_id"], domain(row["email"])), [0, 0])[what == "bounced"] += 1
    return sends, by_link, by_domain


def count_events(*, session: Session, rows: list[dict]) -> None:
    """Add newly recorded ledger ``rows`` to their sends' kept counts (see the module's docstring)."""
    rows = [row for row in rows if row["delivery_id"] is not None and row["send_id"] is not None]
    if not rows:
        return
    links = _link_ids(session, rows)
    wanted = sorted({(row["delivery_id"], what) for row in rows for what in firsts_of(row, links.get(row["event_id"]))})
    sends, by_link, by_domain = tally(rows, links, _insert_firsts(session, wanted))
    add_counts(session, sends, by_link, by_domain)


def add_counts(session: Session, sends: dict, by_link: dict, by_domain: dict) -> None:
    """Add increments (as :func:`tally` makes them; negative ones subtract) to the kept counts."""
    _upsert(session, SendCount, ("send_id", "name"), ("n",),
            [(send_id, name, n) for (send_id, name), n in sorted(sends.items()) if n])
    _upsert(session, SendLinkCount, ("send_id", "link_id"), ("human_clicks", "machine_clicks", "human_clickers"),
            [(*key, *values) for key, values in sorted(by_link.items())])
    _upsert(session, SendDomainCount, ("send_id", "domain"), ("delivered", "bounced"),
            [(*key, *values) for key, values in sorted(by_domain.items())])


def count_as_machine(*, session: Session, event_ids: list[int]) -> None:
    """Move clicks (ledger ids) that were counted as human and are now marked machine to the
    machine counts; a recipient left with no human click (on the send, on
    a link) is no longer a human clicker, and their next human click counts them again."""
    clicks = [(row["send_id"], row["delivery_id"], row) for row in _ledger_rows(session, event_ids)
              if row["send_id"] is not None and row["delivery_id"] is not None]
    links = _link_ids(session, [row for *_, row in clicks])
    sends: Counter = Counter()
    by_link: dict[tuple[int, int], list[int]] = {}
    for send_id, _, row in clicks:
        sends[send_id, "clicked_human"] -= 1
        sends[send_id, "clicked_machine"] += 1
        if row["event_id"] in links:
            counts = by_link.setdefault((send_id, links[row["event_id"]]), [0, 0, 0])
            counts[0] -= 1
            counts[1] += 1
    left = _human_clicks(session, sorted({delivery_id for _, delivery_id, _ in clicks}))
    for send_id, delivery_id, row in clicks:
        if delivery_id not in left and _forget(session, delivery_id, "clicked_human"):
            sends[send_id, "unique_clicked_human"] -= 1
        link_id = links.get(row["event_id"])
        if link_id is not None and link_id not in left.get(delivery_id, ()) and _forget(
                session, delivery_id, f"link:{link_id}"):
            by_link[send_id, link_id][2] -= 1
    add_counts(session, sends, by_link, {})


def _human_clicks(session: Session, delivery_ids: list[int]) -> dict[int, set[int | None]]:
    """{delivery: the link ids of its human clicks (None for a click on no tracked link)}."""
    rows = [dict(row._mapping) for row in session.execute(
        select(*_ROW).where(one_of(session, DeliveryEvent.delivery_id, delivery_ids),
                            DeliveryEvent.kind_is("clicked"), DeliveryEvent.machine.is_(False)))]
    links = _link_ids(session, rows)
    left: dict[int, set[int | None]] = {}
    for row in rows:
        left.setdefault(row["delivery_id"], set()).add(links.get(row["event_id"]))
    return left


_ROW = (DeliveryEvent.event_id, DeliveryEvent.provider, DeliveryEvent.kind, DeliveryEvent.send_id,
        DeliveryEvent.delivery_id, DeliveryEvent.url, DeliveryEvent.raw)


def _ledger_rows(session: Session, event_ids: list[int]) -> list[dict]:
    return [dict(row._mapping) for row in session.execute(
        select(*_ROW).where(one_of(session, DeliveryEvent.id, event_ids)).order_by(DeliveryEvent.id))]


def _forget(session: Session, delivery_id: int, what: str) -> bool:
    """Delete a delivery's first of ``what``; whether there was one."""
    return session.execute(DeliveryFirst.__table__.delete().where(
        DeliveryFirst.delivery_id == delivery_id, DeliveryFirst.what == what)).rowcount > 0


def _link_ids(session: Session, rows: list[dict]) -> dict[str, int]:
    """{event id: link id} of the clicks among ``rows`` on one of their send's tracked links:
    ours name it in their payload, a provider's by its URL."""
    found, by_url = {}, []
    for row in rows:
        if row["kind"] != "clicked":
            continue
        link = (row["raw"] or {}).get("link") if row["provider"] == "web" else None
        if isinstance(link, int):
            found[row["event_id"]] = link
        elif row["url"]:
            by_url.append(row)
    if by_url:
        known = {(send_id, url): link_id for send_id, link_id, url in session.execute(
            select(SendLink.send_id, SendLink.link_id, SendLink.url)
            .where(one_of(session, SendLink.send_id, sorted({row["send_id"] for row in by_url}))))}
        for row in by_url:
            link_id = known.get((row["send_id"], row["url"]))
            if link_id is not None:
                found[row["event_id"]] = link_id
    return found


# On PostgreSQL the rows go, and come back, as one JSON value (as the ledger's do).
_INSERT_FIRSTS = text(
    "WITH new AS (INSERT INTO delivery_firsts (delivery_id, what) SELECT * FROM json_to_recordset(CAST(:rows AS json)) "
    "AS t(delivery_id int, what text) ON CONFLICT DO NOTHING RETURNING delivery_id, what) "
    "SELECT CAST(coalesce(json_agg(json_build_array(delivery_id, what)), '[]') AS text) FROM new")


def _insert_firsts(session: Session, wanted: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Insert ``wanted`` (in key order); those that were not there before."""
    if not wanted:  # only events that count nobody (``queued``)
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = orjson.dumps([{"delivery_id": d, "what": w} for d, w in wanted]).decode()
        return [tuple(row) for row in orjson.loads(session.execute(_INSERT_FIRSTS, {"rows": rows}).scalar_one())]
    statement = (dialect_insert(session, DeliveryFirst.__table__).on_conflict_do_nothing()
                 .returning(DeliveryFirst.delivery_id, DeliveryFirst.what))
    return [tuple(row) for row in session.connection().execute(
        statement, [{"delivery_id": d, "what": w} for d, w in wanted])]


def _upsert(session: Session, model, keys: tuple[str, ...], counts: tuple[str, ...], rows: list[tuple]) -> None:
    """Add ``rows`` (keys then counts) to ``model``'s counts, inserting the rows not there yet:
    one statement (on PostgreSQL the rows as one JSON parameter)."""
    if not rows:
        return
    table = model.__table__
    records = [dict(zip(keys + counts, row, strict=True)) for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_upsert_statement(table.name, keys, counts), {"rows": orjson.dumps(records).decode()})
        return
    statement = dialect_insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + statement.excluded[c] for c in counts})
    session.connection().execute(statement, records)


@cache
def _upsert_statement(table: str, keys: tuple[str, ...], counts: tuple[str, ...]) -> TextClause:
    columns = keys + counts
    types = ", ".join(f"{c} {'text' if c in ('name', 'domain') else 'bigint'}" for c in columns)
    return text(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS t({types}) ON CONFLICT ({', '.join(keys)}) "
        f"DO UPDATE SET {', '.join(f'{c} = {table}.{c} + excluded.{c}' for c in counts)}")
