"""A send's events recipient by recipient as CSV, over the real web server: an admin downloads
it, formulas in it neutralised; an editor is refused (403): only admins see per-recipient data."""

import csv
import io

import pytest
from sqlalchemy import update

from newsletter.db import transaction
from newsletter.db.models import DeliveryEvent
from newsletter.reports import export_send_events
from tests.reports.helpers import report_events, sent_send

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE
def test_an_admin_downloads_a_sends_events_and_an_editor_may_not(live_server, admin, editor):
    send_id, deliveries = sent_send(live_server.settings, ["ana@example.org", "bo@example.net"])
    report_events(live_server.settings, deliveries, ("delivered", "ana@example.org"),
                  ("bounced", "bo@example.net", "hard"), ("opened", "ana@example.org"))
    answer = admin.get(f"/admin/sends/{send_id}/events.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert f'filename="send-{send_id}-events.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:4] == ["email", "delivery_id", "event", "machine"]
    assert sorted((r[0], r[2], r[4]) for r in rows[1:]) == [
        ("ana@example.org", "delivered", ""), ("ana@example.org", "opened", ""), ("bo@example.net", "bounced", "hard")]
    assert "550 5.1.1 no such user" in answer.text
    assert editor.get(f"/admin/sends/{send_id}/events.csv").status_code == 403
    assert admin.get("/admin/sends/999/events.csv").status_code == 404


def test_a_cell_that_looks_like_a_formula_is_written_as_text(db_settings):
    send_id, deliveries = sent_send(db_settings, ["ana@example.org"])
    report_events(db_settings, deliveries, ("dropped", "ana@example.org"))
    with transaction(db_settings.database_url) as session:
        session.execute(update(DeliveryEvent).values(reason="=cmd|' /C calc'!A0", url="+1+2"))
        out = io.StringIO()
        assert export_send_events(session=session, send_id=send_id, out=out) == 1
    [_, row] = list(csv.reader(io.StringIO(out.getvalue())))
    assert row[6] == "'=cmd|' /C calc'!A0" and row[7] == "'+1+2"
