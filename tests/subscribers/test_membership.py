import csv
import io

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Subscriber
from newsletter.errors import ContentError, NotFoundError
from newsletter.subscribers import create_list, import_subscribers
from newsletter.subscribers.membership import add_subscriber, export_subscribers, remove_subscriber


@pytest.fixture
def weekly(database_url):
    with transaction(database_url) as session:
        create_list(session=session, name="weekly")
    return database_url


def export(url, status="confirmed"):
    out = io.StringIO()
    with transaction(url) as session:
        export_subscribers(session=session, list_name="weekly", status=status, out=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_add_remove_and_never_back_by_import(weekly, tmp_path):
    with transaction(weekly) as session:
        assert add_subscriber(session=session, email="Ana@Example.org", name="Ana", list_name="weekly", confirmed=False) == "pending"
        assert add_subscriber(session=session, email="ana@example.org", name=None, list_name="weekly", confirmed=True) == "confirmed"
    with transaction(weekly) as session:
        remove_subscriber(session=session, email="ANA@example.org", list_name="weekly")
    path = tmp_path / "again.csv"
    path.write_text("email\nana@example.org\n")
    import_subscribers(database_url=weekly, path=path, list_name="weekly", confirmed=True)
    assert [r["email"] for r in export(weekly, "unsubscribed")] == ["ana@example.org"]
    assert export(weekly) == []
    with transaction(weekly) as session, pytest.raises(ContentError, match="only they can subscribe again"):
        add_subscriber(session=session, email="ana@example.org", name=None, list_name="weekly", confirmed=True)


def test_bad_input_and_unknown_people_are_clear_errors(weekly):
    with transaction(weekly) as session, pytest.raises(ContentError, match="@-sign"):
        add_subscriber(session=session, email="nope", name=None, list_name="weekly", confirmed=True)
    with transaction(weekly) as session, pytest.raises(ContentError, match="single line"):
        add_subscriber(session=session, email="a@example.org", name="A\nBcc: x", list_name="weekly", confirmed=True)
    with transaction(weekly) as session, pytest.raises(NotFoundError, match="not on the list"):
        remove_subscriber(session=session, email="ghost@example.org", list_name="weekly")


def test_export_round_trips_through_import(weekly, tmp_path, database_url):
    source = tmp_path / "in.csv"
    source.write_text("email,name,language,city,team\na@example.org,Ana,pt,Lisbon,\nb@example.org,Ben,,,blue\n", encoding="utf-8")
    import_subscribers(database_url=weekly, path=source, list_name="weekly", confirmed=True)
    with transaction(weekly) as session:
        session.scalar(select(Subscriber).where(Subscriber.email == "b@example.org")).status = "bounced"
    rows = export(weekly)
    assert [(r["email"], r["name"], r["language"], r["status"], r["city"], r["team"]) for r in rows] == [
        ("a@example.org", "Ana", "pt", "confirmed", "Lisbon", ""),
        ("b@example.org", "Ben", "", "bounced", "", "blue"),
    ]
    with transaction(weekly) as session:
        create_list(session=session, name="copy")
    exported = tmp_path / "out.csv"
    with exported.open("w", newline="", encoding="utf-8") as handle, transaction(weekly) as session:
        export_subscribers(session=session, list_name="weekly", status="all", out=handle)
    report = import_subscribers(database_url=weekly, path=exported, list_name="copy", confirmed=True)
    assert (report.accepted, report.rejected_count) == (1, 1)  # bounced: only they can come back
