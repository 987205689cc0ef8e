"""The file provider: one ``.eml`` file per recipient in NEWSLETTER_OUTBOX_DIR.

Files are written atomically (a temporary file renamed into place) and named after the
Message-ID, which is the same when a batch is retried: a retry rewrites the same files
instead of adding copies.
"""

import os
import re
from pathlib import Path

from newsletter.providers.base import OutgoingBatch, Provider, RecipientResult
from newsletter.providers.mime import MimeBuilder


class FileProvider(Provider):
    """Writes messages to ``<outbox>/send-<id>/<message id>.eml`` (``transactional/`` outside sends)."""

    name = "file"
    resend_is_harmless = True  # a re-sent batch rewrites the same files

    def __init__(self, outbox_dir: Path):
        self.outbox_dir = outbox_dir

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        folder = self.outbox_dir / (f"send-{batch.send_id}" if batch.send_id else "transactional")
        folder.mkdir(parents=True, exist_ok=True)
        builder = MimeBuilder(batch)
        results = []
        for recipient in batch.recipients:
            target = folder / f"{_file_name(recipient.message_id)}.eml"
            temporary = target.with_suffix(f".tmp{os.getpid()}")
            temporary.write_bytes(builder.build(recipient))
            os.replace(temporary, target)
            results.append(RecipientResult(recipient.delivery_id, True, recipient.message_id))
        return results


def _file_name(message_id: str) -> str:
    """The local part of ``<local@domain>``, restricted to characters safe in a file name."""
    local = message_id.strip("<>").partition("@")[0]
    return re.sub(r"[^A-Za-z0-9._-]", "_", local)
