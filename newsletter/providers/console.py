"""The console provider: prints every message to standard output (for development)."""

import sys
import threading
from typing import TextIO

from newsletter.providers.base import OutgoingBatch, Provider, RecipientResult
from newsletter.providers.mime import MimeBuilder

_print_lock = threading.Lock()  # embedded workers run batches in threads


class ConsoleProvider(Provider):
    """Writes each complete message to ``stream``, separated by a rule."""

    name = "console"
    resend_is_harmless = True  # a development aid: a repeat print harms nobody

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        stream = self.stream or sys.stdout
        builder = MimeBuilder(batch)
        results = []
        for recipient in batch.recipients:
            message = builder.build(recipient).decode("ascii")
            with _print_lock:
                stream.write(f"{message}\n{'-' * 79}\n")
                stream.flush()
            results.append(RecipientResult(recipient.delivery_id, True, recipient.message_id))
        return results
