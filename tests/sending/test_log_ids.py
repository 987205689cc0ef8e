"""What a worker logs about a batch names its send and batch, so JSON log lines can be
searched by either (NEWSLETTER_LOG_FORMAT=json)."""

import io
import json
import logging

from newsletter.db import transaction
from newsletter.errors import AmbiguousDeliveryError
from newsletter.operations.logging import JsonFormatter
from newsletter.sending import pending_batch_ids, send_batch
from tests.sending.helpers import RecordingProvider, add_people, freeze


def test_a_batch_whose_outcome_is_unknown_is_logged_with_its_send_and_batch(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("newsletter.sending.dispatch")
    logger.addHandler(handler)
    try:
        send_batch(settings=small_batches, provider=RecordingProvider(AmbiguousDeliveryError("test", "timed out")),
                   batch_id=batch_id)
    finally:
        logger.removeHandler(handler)
    [line] = [json.loads(text) for text in out.getvalue().splitlines()]
    assert (line["send_id"], line["batch_id"], line["level"]) == (send_id, batch_id, "WARNING")
