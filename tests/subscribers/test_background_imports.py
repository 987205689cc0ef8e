"""Uploaded files imported in the background: queued, handed to a worker once, run again
from the start if that worker stops, and never adding anyone twice."""

import datetime as dt

from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import SubscriberImport, Subscription, utcnow
from newsletter.subscribers import create_list
from newsletter.subscribers.imports import imports_to_run, queue_import, report_of, run_import
from tests.conftest import make_settings

CSV = b"email,name\nana@example.org,Ana\nbad-address,X\nben@example.org,Ben\n"


def queued(settings, data=CSV) -> int:
    """A new list, and an upload queued to be imported into it; the import's id."""
    with transaction(settings.database_url) as session:
        create_list(session=session, name="weekly")
        return queue_import(session=session, list_name="weekly", filename="people.csv", data=data, confirmed=True,
                            created_by="ad@example.org").id


def job(settings, import_id) -> SubscriberImport:
    with transaction(settings.database_url) as session:
        found = session.get_one(SubscriberImport, import_id)
        session.refresh(found, ["data"])
        session.expunge(found)
        return found


def members(settings) -> int:
    with transaction(settings.database_url) as session:
        return session.scalar(select(func.count()).select_from(Subscription))


def test_a_queued_import_is_handed_out_once_run_and_its_file_cleared(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url)
    import_id = queued(settings)
    run_import(settings=settings, import_id=import_id)  # not handed out yet: nothing happens
    assert (job(settings, import_id).status, members(settings)) == ("queued", 0)

    now = utcnow()
    with transaction(settings.database_url) as session:
        assert imports_to_run(session=session, settings=settings, now=now) == [import_id]
    with transaction(settings.database_url) as session:
        assert imports_to_run(session=session, settings=settings, now=now) == []  # one worker gets it
    run_import(settings=settings, import_id=import_id)
    done = job(settings, import_id)
    assert (done.status, done.data, done.bytes_read, done.error) == ("done", None, len(CSV), None)
    report = report_of(done)
    assert (report.rows, report.accepted, report.new_subscriptions, report.confirmed) == (3, 2, 2, 0)
    assert [(r.line, r.email) for r in report.rejected] == [(3, "bad-address")]
    assert members(settings) == 2


def test_an_import_whose_worker_stopped_is_run_again_and_adds_nobody_twice(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, batch_stuck_after=60)
    import_id = queued(settings)
    with transaction(settings.database_url) as session:
        imports_to_run(session=session, settings=settings, now=utcnow())
    run_import(settings=settings, import_id=import_id)  # as if the first worker got this far...
    with transaction(settings.database_url) as session:  # ...and died before recording the end
        row = session.get_one(SubscriberImport, import_id)
        row.status, row.data, row.report = "running", CSV, None
    with transaction(settings.database_url) as session:
        assert imports_to_run(session=session, settings=settings, now=utcnow() + dt.timedelta(seconds=30)) == []
        assert imports_to_run(session=session, settings=settings, now=utcnow() + dt.timedelta(seconds=61)) == [
            import_id]
    run_import(settings=settings, import_id=import_id)
    again = job(settings, import_id)
    assert again.status == "done" and report_of(again).new_subscriptions == 0
    assert members(settings) == 2


def test_a_file_that_cannot_be_imported_fails_with_its_name(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url)
    import_id = queued(settings, data=b"\xff\xfe not utf-8 \x00")
    with transaction(settings.database_url) as session:
        imports_to_run(session=session, settings=settings, now=utcnow())
    run_import(settings=settings, import_id=import_id)
    failed = job(settings, import_id)
    assert failed.status == "failed" and failed.data is None and report_of(failed) is None
    assert failed.error.startswith("people.csv") and "newsletter-import-" not in failed.error
