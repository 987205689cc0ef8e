"""A send's audience is rows (send_lists), which the freeze reads: the display string of its
list names is never parsed back."""

from sqlalchemy import update

from newsletter.db import transaction
from newsletter.db.models import Send
from newsletter.sending import audience, create_send, freeze_send
from tests.sending.helpers import add_people


def test_the_freeze_reads_the_audience_rows_not_the_display_string(small_batches, issue_id):
    url = small_batches.database_url
    add_people(url, "weekly", ["a@example.org"])
    add_people(url, "weekly-es", ["b@example.org"])
    with transaction(url) as session:
        send_id = create_send(session=session, settings=small_batches, issue_id=issue_id,
                              list_names=["weekly-es", "weekly"]).id
        # The display string is for people: rewording it changes nothing about who gets the send.
        session.execute(update(Send).where(Send.id == send_id).values(list_names="our two lists"))
        assert audience(session=session, send_ids=[send_id]) == {send_id: ["weekly", "weekly-es"]}
    freeze_send(settings=small_batches, send_id=send_id)
    with transaction(url) as session:
        assert session.get_one(Send, send_id).recipient_count == 2
