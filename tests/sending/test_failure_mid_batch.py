"""A provider that fails unexpectedly after answering some of a batch's recipients: what it
answered stands (an accepted message is not turned into a failure, which a later "retry the
failed" would send twice), and only the rest are failed."""

from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Delivery
from newsletter.providers import Provider, RecipientResult
from newsletter.sending import pending_batch_ids, send_batch
from tests.conftest import make_settings
from tests.sending.helpers import add_people, assert_counters_match_ledger, freeze, issue_id  # noqa: F401


class AnswersThenBreaks(Provider):
    """Accepts the first two recipients, hands the answers on at once, then fails."""

    name = "breaks"

    def send_batch(self, batch):
        return self.stream_batch(batch, lambda _: None)

    def stream_batch(self, batch, on_results):
        on_results([RecipientResult(r.delivery_id, True, f"<{r.delivery_id}@relay>") for r in batch.recipients[:2]])
        raise RuntimeError("a bug in the middle of a batch")


def test_answers_given_before_an_unexpected_failure_stand(tmp_path, database_url, issue_id):  # noqa: F811
    settings = make_settings(tmp_path, database_url=database_url)
    add_people(database_url, "weekly", [f"p{n}@example.org" for n in range(1, 6)])
    send_id, _ = freeze(settings, issue_id)
    with transaction(database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    outcome = send_batch(settings=settings, provider=AnswersThenBreaks(), batch_id=batch_id)
    assert (outcome.accepted, outcome.failed) == (2, 3)
    with transaction(database_url) as session:
        rows = session.execute(select(Delivery.email, Delivery.status, Delivery.provider_message_id)
                               .order_by(Delivery.id)).all()
    assert [(status, message_id is not None) for _, status, message_id in rows] == \
        [("accepted", True)] * 2 + [("failed", False)] * 3
    assert_counters_match_ledger(database_url, send_id)
