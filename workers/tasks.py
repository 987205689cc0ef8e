"""Thin Celery tasks over plain functions of :mod:`newsletter.sending`."""

from newsletter.config import get_settings
from newsletter.db.engine import transaction
from newsletter.errors import TransientProviderError
from newsletter.providers import provider_from_settings
from newsletter.sending import pending_batch_ids, send_batch
from workers.celery_app import app


@app.task(name="newsletter.start_send")
def start_send_task(send_id: int) -> None:
    """Queue every pending batch of a send."""
    with transaction(get_settings().database_url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch_task.delay(batch_id)


@app.task(
    name="newsletter.send_batch",
    autoretry_for=(TransientProviderError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=None,
)
def send_batch_task(batch_id: int) -> None:
    """Claim and send one batch; a no-op if another worker has it or it is done."""
    settings = get_settings()
    send_batch(settings=settings, provider=provider_from_settings(settings), batch_id=batch_id)
