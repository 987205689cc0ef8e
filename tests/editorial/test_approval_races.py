"""Approval and scheduling are conditional UPDATEs: a save that lands while they run is never
approved or sent unseen."""

import threading

import pytest

import newsletter.sending.create as control
import newsletter.sending.create as freeze
from newsletter.db import transaction
from newsletter.editorial import compose, save_issue
from newsletter.editorial.compose import approve_issue, save_draft
from newsletter.editorial.drafts import IssueDraft, SectionDraft
from newsletter.editorial.issues import get_issue
from newsletter.errors import EditConflictError, SendStateError
from newsletter.subscribers import create_list
from tests.conftest import make_settings
from tests.factories import issue


def draft_of(url, issue_id, **changes):
    with transaction(url) as session:
        current = get_issue(session=session, issue_id=issue_id)
        return IssueDraft(
            title=current.title, date=current.date, subject=current.subject, preheader=current.preheader,
            intro=current.intro, language=current.language, version=current.version,
            sections=[SectionDraft(title=s.title, item_ids=[e.item_id for e in s.entries]) for s in current.sections],
        ).model_copy(update=changes)


@pytest.fixture
def draft(tmp_path, database_url):
    with transaction(database_url) as session:
        create_list(session=session, name="weekly")
        issue_id = save_issue(session=session, content=issue(2)).id
    return make_settings(tmp_path, database_url=database_url), issue_id


def test_a_save_landing_during_the_checks_is_not_approved_unseen(draft, monkeypatch):
    settings, issue_id = draft
    url = settings.database_url
    version = draft_of(url, issue_id).version
    checks = compose.preview_issue

    def checks_while_a_colleague_saves(current, settings):
        findings = checks(current, settings)
        with transaction(url) as session:  # the colleague's save commits while the checks run
            save_draft(session=session, issue_id=issue_id, draft=draft_of(url, issue_id, title="Changed unseen"),
                       editor="colleague")
        return findings

    monkeypatch.setattr(compose, "preview_issue", checks_while_a_colleague_saves)
    with pytest.raises(EditConflictError), transaction(url) as session:
        approve_issue(session=session, settings=settings, issue_id=issue_id, version=version, editor="editor")
    with transaction(url) as session:
        current = get_issue(session=session, issue_id=issue_id)
        assert (current.status, current.title) == ("draft", "Changed unseen")


def test_a_save_landing_while_an_issue_is_scheduled_waits_and_is_refused(draft, monkeypatch):
    settings, issue_id = draft
    url = settings.database_url
    with transaction(url) as session:
        approve_issue(session=session, settings=settings, issue_id=issue_id,
                      version=draft_of(url, issue_id).version, editor="editor")
    late_edit = draft_of(url, issue_id, title="Changed after approval")
    outcome = []

    def save():
        try:
            with transaction(url) as session:
                save_draft(session=session, issue_id=issue_id, draft=late_edit, editor="colleague")
            outcome.append("saved")
        except SendStateError:
            outcome.append("refused")

    render = freeze.render_issue
    savers = []

    def render_while_a_colleague_saves(content, settings, **options):  # the save starts mid-schedule
        savers.append(threading.Thread(target=save))
        savers[0].start()
        savers[0].join(timeout=1)  # it waits for the schedule's transaction, if that holds the issue
        return render(content, settings, **options)

    monkeypatch.setattr(freeze, "render_issue", render_while_a_colleague_saves)
    with transaction(url) as session:
        control.schedule_issue(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"],
                               at="2099-01-01 08:00", timezone="UTC")
    savers[0].join(timeout=35)
    assert outcome == ["refused"]
    with transaction(url) as session:
        current = get_issue(session=session, issue_id=issue_id)
        assert (current.status, current.title) == ("scheduled", "The Weekly Brief")
