"""Dispatch: creating sends, freezing their recipients into batches, sending batch by batch,
steering sends and reading how far they got.

By what modules do: ``states`` (statuses, the transition table, the one helper every status
change goes through, the lock order), ``create``, ``commands``, ``reads``, ``freeze``,
``dispatch``, ``sweep`` and ``reconcile``. Imports point one way: from the later in that list
to the earlier.
"""

from newsletter.sending.commands import (
    cancel_send,
    pause_send,
    reschedule_send,
    resume_send,
    retry_failed,
)
from newsletter.sending.create import create_send, parse_schedule, schedule_issue, start_send
from newsletter.sending.dispatch import BatchOutcome, send_batch
from newsletter.sending.freeze import freeze_send
from newsletter.sending.reads import (
    SendProgress,
    audience,
    failed_recipients,
    get_send,
    list_sends,
    pending_batch_ids,
    send_progress,
)

__all__ = [
    "BatchOutcome",
    "SendProgress",
    "audience",
    "cancel_send",
    "create_send",
    "failed_recipients",
    "freeze_send",
    "get_send",
    "list_sends",
    "parse_schedule",
    "pause_send",
    "pending_batch_ids",
    "reschedule_send",
    "resume_send",
    "retry_failed",
    "schedule_issue",
    "send_batch",
    "send_progress",
    "start_send",
]
