"""Log lines as JSON objects (NEWSLETTER_LOG_FORMAT=json), one per line, for log collectors.

Each line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``, and the
``send_id``, ``batch_id`` and ``delivery_id`` of what the line is about: given by the call
(``log.info(..., extra={"send_id": 3})``) or by :func:`log_context` around the work (the
worker's task sets the batch id around sending a batch, so every line its send logs has it).
With the text format (the default) logging stays as uvicorn and Celery set it up.
"""

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from newsletter.config import Settings

IDS = ("send_id", "batch_id", "delivery_id")

_ids: ContextVar[dict[str, int] | None] = ContextVar("newsletter_log_ids", default=None)


@contextmanager
def log_context(**ids: int) -> Iterator[None]:
    """Add ``ids`` (send_id=, batch_id=, delivery_id=) to every line logged in the block, in this
    thread or task."""
    token = _ids.set({**(_ids.get() or {}), **ids})
    try:
        yield
    finally:
        _ids.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _ids.get() or {}
        for name in IDS:
            value = getattr(record, name, None)
            if value is None:
                value = context.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings: Settings, *, level: int | str = logging.INFO) -> bool:
    """With NEWSLETTER_LOG_FORMAT=json, send every log line to stderr as JSON; True if it did."""
    if settings.log_format != "json":
        return False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # a warning is a log line too, not text on stderr
    return True
