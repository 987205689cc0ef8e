"""Importing subscribers from CSV: every valid row goes in, every bad row is reported.

The file needs a header row with an ``email`` column; ``name`` and ``language`` are known
columns and any other column becomes a free attribute. UTF-8 with or without BOM, commas or
semicolons, quoted fields. The file is streamed and written in chunks of set-based SQL, so
memory does not grow with it. Re-importing a file changes nothing. An import never puts back
anyone who left (unsubscribed from the list or from everything, bounced or complained), with
or without ``confirmed``: their rows are reported with the reason, as rejected rows are.
"""

import csv
import itertools
import json
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Self, TextIO

from sqlalchemy import DateTime, TextClause, bindparam, text
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.csv_safety import SafeCsvWriter, restore_cell
from newsletter.db.engine import transaction
from newsletter.db.models import utcnow
from newsletter.errors import ImportFileError
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.consent import why_left
from newsletter.subscribers.lists import get_list

CHUNK_ROWS = 5000
MAX_FIELD_LENGTH = 1000
MAX_NAME_LENGTH = 200
MAX_REPORTED_REJECTS = 1000  # the rejects file, if asked for, has them all
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True)
class RejectedRow:
    """A row that did not go in, and why."""

    line: int
    email: str
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0
    new_subscribers: int = 0
    new_subscriptions: int = 0
    confirmed: int = 0
    rejected_count: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Rows that were valid (new or already there)."""
        return self.rows - self.rejected_count


@dataclass(frozen=True)
class _ValidRow:
    line: int
    email: str
    name: str | None
    language: str | None
    attributes: dict[str, str]


def import_subscribers(
    *,
    database_url: str,
    path: Path,
    list_name: str,
    confirmed: bool,
    source: str = "import",
    rejects_path: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the CSV at ``path`` into the list ``list_name``; return the report.

    ``confirmed`` records that the admin holds consent for these people; otherwise their
    subscriptions are pending until they confirm. ``on_progress`` is called with the number
    of bytes read so far after each chunk.
    """
    with transaction(database_url) as session:
        list_id = get_list(session=session, name=list_name).id
    report = ImportReport()
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise ImportFileError(f"{path}: cannot be opened ({err.strerror})") from None

    with handle, _rejects_writer(rejects_path) as write_reject:
        rows = _validated_rows(handle, path, report, write_reject)
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            with transaction(database_url) as session:
                _write_chunk(session, chunk, list_id, confirmed, source, report, write_reject)
            if on_progress:
                on_progress(handle.buffer.tell())
    report.rejected.sort(key=lambda reject: reject.line)  # a chunk's people who left come after its bad rows
    return report


def _validated_rows(
    handle: TextIO, path: Path, report: ImportReport, write_reject: Callable[[RejectedRow], None]
) -> Iterator[_ValidRow]:
    reader = None
    with _FirstSeen() as seen:
        try:
            first_line = handle.readline()
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            reader = csv.reader(itertools.chain([first_line], handle), delimiter=delimiter)
            header = next(reader, None)
            columns = _columns(header, path)
            line = reader.line_num
            for record in reader:
                start, line = line + 1, reader.line_num
                if not any(value.strip() for value in record):
                    continue  # blank lines are not rows
                report.rows += 1
                try:
                    row = _validate(record, columns, seen, start)
                except ValueError as err:
                    raw = record[columns.index("email")] if len(record) > columns.index("email") else ""
                    _reject(report, write_reject, RejectedRow(start, raw.strip(), str(err)))
                    continue
                yield row
        except UnicodeDecodeError:
            after = reader.line_num if reader is not None else 0
            raise ImportFileError(
                f"{path}: is not UTF-8 text (after line {after}); save it as UTF-8 CSV "
                "and import it again (rows before that line are in)"
            ) from None
        except csv.Error as err:
            raise ImportFileError(f"{path}: line {reader.line_num if reader else 1}: {err}") from None


def _columns(header: list[str] | None, path: Path) -> list[str]:
    if not header:
        raise ImportFileError(f"{path}: is empty; expected a header row with an email column")
    columns = [restore_cell(name.strip()).lower() for name in header]
    if "email" not in columns:
        raise ImportFileError(
            f"{path}: the header row has no 'email' column (it has: {', '.join(columns)})"
        )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ImportFileError(f"{path}: the header repeats column(s): {', '.join(duplicates)}")
    return columns


def _validate(record: list[str], columns: list[str], seen: "_FirstSeen", line: int) -> _ValidRow:
    if len(record) > len(columns):
        raise ValueError(f"has {len(record)} fields but the header has {len(columns)}")
    # An export marks a cell such as "-2+3" as text ("'-2+3"): it comes back as it was.
    values = {column: restore_cell(value.strip()) for column, value in zip(columns, record)}
    raw_email = values.pop("email", "")
    if not raw_email:
        raise ValueError("email is missing")
    email = normalise_email(raw_email)
    name = values.pop("name", "") or None
    if name is not None:
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(f"name is longer than {MAX_NAME_LENGTH} characters")
        name = _checked(name, "name")
    language = values.pop("language", "") or None
    if language is not None and not _LANGUAGE.match(language):
        raise ValueError(f"language {language!r} is not a language code such as en or pt-BR")
    for column, value in values.items():
        if len(value) > MAX_FIELD_LENGTH:
            raise ValueError(f"{column} is longer than {MAX_FIELD_LENGTH} characters")
    attributes = {column: _checked(v, column) for column, v in values.items() if v}
    first = seen.first_line(email, line)  # last: only a valid row claims its address
    if first is not None:
        raise ValueError(f"duplicate of line {first}")
    return _ValidRow(line, email, name, language, attributes)


def _checked(value: str, column: str) -> str:
    try:
        return check_text(value)
    except ValueError as err:
        raise ValueError(f"{column} {err}") from None


# The chunk travels as one JSON parameter, so each statement stays small and is prepared
# once; only the way JSON becomes rows differs between the databases.
_CHUNK_ROWS = {
    "postgresql": (
        "SELECT r.email, r.name, r.language, CAST(r.attributes AS json) AS attributes "
        "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(email text, name text, language text, attributes jsonb)"
    ),
    "sqlite": (
        "SELECT json_extract(value, '$.email') AS email, json_extract(value, '$.name') AS name, "
        "json_extract(value, '$.language') AS language, json(json_extract(value, '$.attributes')) AS attributes "
        "FROM json_each(:rows)"
    ),
}
# "WHERE true" lets SQLite tell the upsert's ON CONFLICT from a join's ON.
_INSERT_SUBSCRIBERS = """
INSERT INTO subscribers (email, name, language, attributes, source, status, created_at)
SELECT r.email, r.name, r.language, r.attributes, :source, 'active', :now FROM ({rows}) AS r WHERE true
ON CONFLICT (email) DO NOTHING RETURNING id"""
# People who left are found first (to be reported); the writes below leave them out as well,
# so that one who leaves while the chunk is written is not put back either.
_LEFT = """
SELECT r.email, s.status, m.status FROM subscribers AS s JOIN ({rows}) AS r ON s.email = r.email
LEFT JOIN subscriptions AS m ON m.subscriber_id = s.id AND m.list_id = :list_id
WHERE s.status <> 'active' OR m.status = 'unsubscribed'"""
_INSERT_SUBSCRIPTIONS = """
INSERT INTO subscriptions (list_id, subscriber_id, status, created_at, confirmed_at)
SELECT :list_id, s.id, :status, :now, :confirmed_at FROM subscribers AS s JOIN ({rows}) AS r ON s.email = r.email
WHERE s.status = 'active' ON CONFLICT (list_id, subscriber_id) DO NOTHING RETURNING subscriber_id"""
_CONFIRM_PENDING = """
UPDATE subscriptions SET status = 'confirmed', confirmed_at = :now
WHERE list_id = :list_id AND status = 'pending'
AND subscriber_id IN (SELECT s.id FROM subscribers AS s JOIN ({rows}) AS r ON s.email = r.email
                      WHERE s.status = 'active')"""


@lru_cache(maxsize=4)
def _statements(dialect: str) -> tuple[TextClause, TextClause, TextClause, TextClause]:
    """The four statements of a chunk for ``dialect``, built once."""
    def statement(sql: str) -> TextClause:
        clause = text(sql.format(rows=_CHUNK_ROWS[dialect]))
        times = [n for n in ("now", "confirmed_at") if f":{n}" in sql]
        return clause.bindparams(*(bindparam(n, type_=DateTime(timezone=True)) for n in times))

    return tuple(statement(sql) for sql in (_LEFT, _INSERT_SUBSCRIBERS, _INSERT_SUBSCRIPTIONS, _CONFIRM_PENDING))


def _write_chunk(
    session: Session, chunk: list[_ValidRow], list_id: int, confirmed: bool, source: str,
    report: ImportReport, write_reject: Callable[[RejectedRow], None],
) -> None:
    left, insert_subscribers, insert_subscriptions, confirm_pending = _statements(session.get_bind().dialect.name)
    now = utcnow()
    params = {
        "rows": json.dumps([{"email": r.email, "name": r.name, "language": r.language, "attributes": r.attributes}
                            for r in chunk]),
        "source": source, "now": now, "list_id": list_id,
        "status": "confirmed" if confirmed else "pending", "confirmed_at": now if confirmed else None,
    }
    lines = {row.email: row.line for row in chunk}
    for email, subscriber_status, membership_status in sorted(session.execute(left, params), key=lambda r: lines[r[0]]):
        reason = why_left(subscriber_status=subscriber_status, membership_status=membership_status)
        _reject(report, write_reject, RejectedRow(lines[email], email, reason))
    report.new_subscribers += len(session.execute(insert_subscribers, params).all())
    report.new_subscriptions += len(session.execute(insert_subscriptions, params).all())
    if confirmed:  # the admin vouches for consent: pending becomes confirmed, nothing else moves
        report.confirmed += session.execute(confirm_pending, params).rowcount


def _reject(report: ImportReport, write_reject: Callable[[RejectedRow], None], reject: RejectedRow) -> None:
    report.rejected_count += 1
    if len(report.rejected) < MAX_REPORTED_REJECTS:
        report.rejected.append(reject)
    write_reject(reject)


class _FirstSeen:
    """The line on which each address first appeared, kept in a scratch SQLite file so that
    memory stays flat however long the import file is."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="newsletter-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "seen.db")
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE seen (email TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID;"
        )

    def first_line(self, email: str, line: int) -> int | None:
        """None when ``email`` is new (it is remembered at ``line``), else its first line."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (email, line)).rowcount:
            return None
        return self._db.execute("SELECT line FROM seen WHERE email = ?", (email,)).fetchone()[0]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()
        self._folder.cleanup()


@contextmanager
def _rejects_writer(path: Path | None) -> Iterator[Callable[[RejectedRow], None]]:
    """A function writing rejected rows to a CSV file at ``path``, or doing nothing."""
    if path is None:
        yield lambda reject: None
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(["line", "email", "reason"])
        yield lambda reject: writer.writerow([reject.line, reject.email, reject.reason])
