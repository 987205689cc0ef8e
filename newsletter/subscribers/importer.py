"""Importing subscribers from CSV: every valid row goes in, every bad row is reported.

The file needs a header row with an ``email`` column; ``name`` and ``language`` are known
columns and any other column becomes a free attribute. UTF-8 with or without BOM, commas or
semicolons, quoted fields. The file is streamed and written in chunks of set-based SQL, so
memory does not grow with it. Re-importing a file changes nothing, and an import never
resubscribes anyone who unsubscribed, bounced or complained.
"""

import csv
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.db.bulk import insert_ignoring_conflicts
from newsletter.db.engine import transaction
from newsletter.db.models import Subscriber, Subscription, utcnow
from newsletter.errors import ImportFileError
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.lists import get_list

CHUNK_ROWS = 1000
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
                _write_chunk(session, chunk, list_id, confirmed, source, report)
            if on_progress:
                on_progress(handle.buffer.tell())
    return report


def _validated_rows(
    handle: TextIO, path: Path, report: ImportReport, write_reject: Callable[[RejectedRow], None]
) -> Iterator[_ValidRow]:
    try:
        first_line = handle.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(itertools.chain([first_line], handle), delimiter=delimiter)
        header = next(reader, None)
        columns = _columns(header, path)
        seen: dict[str, int] = {}
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
                reject = RejectedRow(start, raw.strip(), str(err))
                report.rejected_count += 1
                if len(report.rejected) < MAX_REPORTED_REJECTS:
                    report.rejected.append(reject)
                write_reject(reject)
                continue
            seen[row.email] = start
            yield row
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{path}: is not UTF-8 text (after line {reader.line_num}); save it as UTF-8 CSV "
            "and import it again (rows before that line are in)"
        ) from None
    except csv.Error as err:
        raise ImportFileError(f"{path}: line {reader.line_num}: {err}") from None


def _columns(header: list[str] | None, path: Path) -> list[str]:
    if not header:
        raise ImportFileError(f"{path}: is empty; expected a header row with an email column")
    columns = [name.strip().lower() for name in header]
    if "email" not in columns:
        raise ImportFileError(
            f"{path}: the header row has no 'email' column (it has: {', '.join(columns)})"
        )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ImportFileError(f"{path}: the header repeats column(s): {', '.join(duplicates)}")
    return columns


def _validate(record: list[str], columns: list[str], seen: dict[str, int], line: int) -> _ValidRow:
    if len(record) > len(columns):
        raise ValueError(f"has {len(record)} fields but the header has {len(columns)}")
    values = {column: value.strip() for column, value in zip(columns, record)}
    raw_email = values.pop("email", "")
    if not raw_email:
        raise ValueError("email is missing")
    email = normalise_email(raw_email)
    if email in seen:
        raise ValueError(f"duplicate of line {seen[email]}")
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
    return _ValidRow(email, name, language, attributes)


def _checked(value: str, column: str) -> str:
    try:
        return check_text(value)
    except ValueError as err:
        raise ValueError(f"{column} {err}") from None


def _write_chunk(
    session: Session, chunk: list[_ValidRow], list_id: int, confirmed: bool, source: str,
    report: ImportReport,
) -> None:
    now = utcnow()
    report.new_subscribers += insert_ignoring_conflicts(
        session,
        Subscriber.__table__,
        [
            {"email": r.email, "name": r.name, "language": r.language, "attributes": r.attributes,
             "source": source, "status": "active", "created_at": now}
            for r in chunk
        ],
        ["email"],
    )
    ids = list(session.scalars(select(Subscriber.id).where(Subscriber.email.in_([r.email for r in chunk]))))
    status = "confirmed" if confirmed else "pending"
    report.new_subscriptions += insert_ignoring_conflicts(
        session,
        Subscription.__table__,
        [
            {"list_id": list_id, "subscriber_id": sid, "status": status, "created_at": now,
             "confirmed_at": now if confirmed else None}
            for sid in ids
        ],
        ["list_id", "subscriber_id"],
    )
    if confirmed:  # the admin vouches for consent: pending becomes confirmed, nothing else moves
        report.confirmed += session.execute(
            update(Subscription)
            .where(Subscription.list_id == list_id, Subscription.subscriber_id.in_(ids),
                   Subscription.status == "pending")
            .values(status="confirmed", confirmed_at=now)
        ).rowcount


@contextmanager
def _rejects_writer(path: Path | None) -> Iterator[Callable[[RejectedRow], None]]:
    """A function writing rejected rows to a CSV file at ``path``, or doing nothing."""
    if path is None:
        yield lambda reject: None
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "email", "reason"])
        yield lambda reject: writer.writerow([reject.line, reject.email, reject.reason])
