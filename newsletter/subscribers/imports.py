"""CSV files uploaded in the web app, imported in the background.

A million-row file takes ~40 s to import on PostgreSQL, longer than a proxy waits for a
request. So an upload is stored with its import row (``queued``) and the request ends; the
sweep hands it to a worker (``running``), which imports it with the CLI's importer, records
its progress after every chunk, and then its report (``done``) or what was wrong with the
file (``failed``). The file is kept in the database, not on a disk the web app and the
workers would have to share, and is cleared once imported.

An import whose worker stopped (no progress for NEWSLETTER_BATCH_STUCK_AFTER) is run again
from the start: importing a file twice changes nothing, so nobody is added twice.
"""

import dataclasses
import datetime as dt
import logging
import tempfile
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.engine import transaction
from newsletter.db.models import MailingList, SubscriberImport, utcnow
from newsletter.errors import ImportFileError, NotFoundError
from newsletter.subscribers.importer import ImportReport, RejectedRow, import_subscribers
from newsletter.subscribers.lists import get_list

log = logging.getLogger(__name__)

SOURCE = "web import"  # the subscribers' source


def queue_import(
    *, session: Session, list_name: str, filename: str, data: bytes, confirmed: bool, created_by: str | None
) -> SubscriberImport:
    """Store an uploaded file to be imported into ``list_name`` by a worker."""
    queued = SubscriberImport(
        list_id=get_list(session=session, name=list_name).id, filename=filename[:255] or "upload.csv",
        confirmed=confirmed, status="queued", data=data, size=len(data), bytes_read=0, created_by=created_by,
    )
    session.add(queued)
    session.flush()
    return queued


def imports_to_run(*, session: Session, settings: Settings, now: dt.datetime) -> list[int]:
    """Queued imports, and running ones whose worker made no progress for
    NEWSLETTER_BATCH_STUCK_AFTER seconds; marked running (the caller runs them)."""
    stale = now - dt.timedelta(seconds=settings.batch_stuck_after)
    return sorted(session.scalars(
        update(SubscriberImport)
        .where(or_(SubscriberImport.status == "queued",
                   (SubscriberImport.status == "running") & (SubscriberImport.progress_at < stale)))
        .values(status="running", started_at=now, progress_at=now, bytes_read=0)
        .returning(SubscriberImport.id)
    ))


def run_import(*, settings: Settings, import_id: int) -> None:
    """Import the file of a running import and record the outcome; nothing if it is not running."""
    url = settings.database_url
    with transaction(url) as session:
        job = session.get(SubscriberImport, import_id)
        if job is None or job.status != "running" or job.data is None:
            return
        list_name = session.get_one(MailingList, job.list_id).name
        data, filename, confirmed = job.data, job.filename, job.confirmed

    def progress(bytes_read: int) -> None:
        with transaction(url) as session:
            session.execute(update(SubscriberImport).where(SubscriberImport.id == import_id)
                            .values(bytes_read=bytes_read, progress_at=utcnow()))

    outcome: dict = {"status": "done", "bytes_read": len(data)}
    with tempfile.TemporaryDirectory(prefix="newsletter-import-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            report = import_subscribers(database_url=url, path=path, list_name=list_name, confirmed=confirmed,
                                        source=SOURCE, on_progress=progress)
            outcome["report"] = dataclasses.asdict(report)
        except ImportFileError as err:
            outcome |= {"status": "failed", "error": str(err).replace(str(path), filename)}
        except Exception as err:  # recorded, so that the admin sees it rather than a spinner
            log.exception("import %s failed", import_id)
            outcome |= {"status": "failed", "error": f"the import stopped: {err}"}
    with transaction(url) as session:
        session.execute(update(SubscriberImport).where(SubscriberImport.id == import_id)
                        .values(data=None, finished_at=utcnow(), **outcome))


def get_import(*, session: Session, import_id: int) -> SubscriberImport:
    """Import ``import_id`` (without its file), or NotFoundError."""
    job = session.get(SubscriberImport, import_id)
    if job is None:
        raise NotFoundError(f"there is no import {import_id}")
    return job


def recent_imports(*, session: Session, list_name: str, limit: int = 5) -> list[SubscriberImport]:
    """The latest imports into a list, newest first."""
    list_id = get_list(session=session, name=list_name).id
    return list(session.scalars(
        select(SubscriberImport).where(SubscriberImport.list_id == list_id)
        .order_by(SubscriberImport.id.desc()).limit(limit)
    ))


def report_of(job: SubscriberImport) -> ImportReport | None:
    """The importer's report of a finished import."""
    if job.report is None:
        return None
    fields = dict(job.report)
    fields["rejected"] = [RejectedRow(**row) for row in fields.get("rejected", [])]
    return ImportReport(**fields)
