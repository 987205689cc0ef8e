"""The state tables are the documentation: docs/sending-states.md is generated from them."""

from newsletter.config import REPOSITORY_ROOT
from newsletter.sending.states import BATCH_TRANSITIONS, DELIVERY_TRANSITIONS, SEND_TRANSITIONS, state_diagram


def test_the_docs_state_diagram_is_generated_from_the_tables():
    page = (REPOSITORY_ROOT / "docs" / "sending-states.md").read_text()
    assert page.endswith(state_diagram())


def test_every_status_has_a_row_and_every_target_is_a_status():
    for table in (SEND_TRANSITIONS, BATCH_TRANSITIONS, DELIVERY_TRANSITIONS):
        statuses = set(type(next(iter(table))))
        assert set(table) == statuses
        assert set().union(*table.values()) <= statuses
