"""Dispatch: freezing a send's recipients into batches, sending batch by batch, steering sends."""

from newsletter.sending.control import (
    cancel_send,
    failed_recipients,
    get_send,
    list_sends,
    parse_schedule,
    pause_send,
    reschedule_send,
    resume_send,
    retry_failed,
    schedule_issue,
)
from newsletter.sending.dispatch import BatchOutcome, send_batch
from newsletter.sending.freeze import (
    audience,
    create_send,
    freeze_send,
    pending_batch_ids,
    start_send,
)
from newsletter.sending.progress import SendProgress, send_progress

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
