"""Dispatch: freezing a send's recipients into batches, and sending batch by batch."""

from newsletter.sending.dispatch import BatchOutcome, send_batch
from newsletter.sending.freeze import create_send, pending_batch_ids
from newsletter.sending.progress import SendProgress, send_progress

__all__ = ["BatchOutcome", "SendProgress", "create_send", "pending_batch_ids", "send_batch", "send_progress"]
