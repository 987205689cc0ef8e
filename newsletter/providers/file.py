"""The file provider: one ``.eml`` file per recipient in NEWSLETTER_OUTBOX_DIR.

Files are written atomically (a temporary file renamed into place) and named after the
delivery, so a retried batch rewrites the same files instead of adding copies.
"""

import os
from pathlib import Path

from newsletter.providers.base import OutgoingBatch, Provider, RecipientResult
from newsletter.providers.mime import MimeBuilder


class FileProvider(Provider):
    """Writes messages to ``<outbox>/send-<id>/<delivery id>.eml``."""

    name = "file"

    def __init__(self, outbox_dir: Path):
        self.outbox_dir = outbox_dir

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        folder = self.outbox_dir / f"send-{batch.send_id}"
        folder.mkdir(parents=True, exist_ok=True)
        builder = MimeBuilder(batch)
        results = []
        for recipient in batch.recipients:
            target = folder / f"{recipient.delivery_id:09d}.eml"
            temporary = target.with_suffix(f".tmp{os.getpid()}")
            temporary.write_bytes(builder.build(recipient))
            os.replace(temporary, target)
            results.append(RecipientResult(recipient.delivery_id, True, recipient.message_id))
        return results
