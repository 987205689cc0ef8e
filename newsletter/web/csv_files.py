"""CSV exports over HTTP (a list's members, a send's events), for the pages and the API alike,
streamed as an attachment.
(Uploads are queued to be imported in the background: subscribers/imports.py.)"""

import tempfile
from collections.abc import Callable, Iterator
from typing import TextIO

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.errors import ContentError
from newsletter.subscribers.membership import STATUSES as EXPORT_STATUSES
from newsletter.subscribers.membership import export_subscribers

_SPOOL_BYTES = 8 * 1024 * 1024  # an export larger than this goes to a temporary file, not memory
_CHUNK_BYTES = 64 * 1024


def export_response(settings: Settings, list_name: str, status: str) -> StreamingResponse:
    """``export_subscribers`` as a CSV attachment (see :func:`csv_response`)."""
    if status not in EXPORT_STATUSES:
        raise ContentError(f"status must be one of {', '.join(EXPORT_STATUSES)}")
    return csv_response(settings, lambda session, out: export_subscribers(
        session=session, list_name=list_name, status=status, out=out), f"{list_name}-{status}.csv")


def csv_response(settings: Settings, write: Callable[[Session, TextIO], object], filename: str) -> StreamingResponse:
    """What ``write(session, out)`` writes, as a CSV attachment named ``filename``.

    The export runs to the end inside its transaction before the first byte goes out, into a
    temporary file (memory up to 8 MB, then disk), so that an error becomes an error response
    rather than a truncated file and a slow download does not hold a transaction open.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+t", encoding="utf-8", newline="")
    try:
        with transaction(settings.database_url) as session:
            write(session, spool)
        spool.flush()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[str]:
        with spool:
            while chunk := spool.read(_CHUNK_BYTES):
                yield chunk

    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})
