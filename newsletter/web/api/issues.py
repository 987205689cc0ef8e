"""``/api/issues``: compose, preview, approve, test-send and schedule issues."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from newsletter.content.models import Version
from newsletter.db import transaction
from newsletter.db.models import Issue
from newsletter.editorial import get_issue, list_issues
from newsletter.editorial.compose import approve_issue, create_issue, save_draft
from newsletter.editorial.drafts import IssueDraft, IssueFields, IssueTranslationDraft, SectionDraft
from newsletter.editorial.editions import EditionStatus, edition_statuses, issue_translations
from newsletter.editorial.preflight import Finding
from newsletter.editorial.preview import draft_content, preview_issue
from newsletter.sending import schedule_issue
from newsletter.sending.transactional import prepare_test, send_test
from newsletter.web.api.routing import ApiRoute, ConflictOut, ErrorOut
from newsletter.web.deps import EditionQuery, IdPath, ProviderDep, SettingsDep
from newsletter.web.security import Admin, Editor

router = APIRouter(prefix="/issues", tags=["issues"], route_class=ApiRoute)


class IssueOut(IssueFields):
    """An issue: its front matter, sections of item ids, status and version (send it back to save)."""

    id: int
    slug: str
    status: str
    version: int
    updated_by: str | None
    sections: list[SectionDraft]
    translations: dict[str, IssueTranslationDraft] = Field(description="The front matter of each edition.")
    edition_status: list[EditionStatus] = Field(
        description="Each edition, the main one first, with the front matter it lacks, the positions "
                    "(from 0, in reading order) of the items with no translation into it, and those of the "
                    "translated items that leave out a part (image_alt, kicker, image_caption).")


class IssueLine(BaseModel):
    id: int
    date: str
    title: str
    status: str
    item_count: int


class PreviewOut(BaseModel):
    """The issue as a sample reader gets it (null parts: it does not render yet), and the checks."""

    subject: str
    preheader: str
    html_bytes: int | None
    approvable: bool
    findings: list[Finding]
    html: str | None
    text: str | None


class Approval(BaseModel):
    version: Version


ListName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")]  # as subscribers/lists.py names them


class Schedule(BaseModel):
    """Where and when to send: ``at`` is wall-clock time in ``timezone``; omit it to send now."""

    lists: Annotated[list[ListName], Field(min_length=1, max_length=20)]
    at: Annotated[str, Field(max_length=40)] | None = None
    timezone: Annotated[str, Field(max_length=60)] = "UTC"

    @model_validator(mode="after")
    def _names_fit(self) -> "Schedule":
        if len(", ".join(self.lists)) > 1000:  # the send keeps them so: sends.list_names is String(1000)
            raise ValueError("the list names come to more than 1000 characters: send to fewer lists at once")
        return self


class TestSent(BaseModel):
    """A test of the issue, sent."""

    to: str = Field(description="The caller's own address, where it went.")
    message_id: str = Field(description="Its Message-ID.")


class Scheduled(BaseModel):
    send_id: int
    status: str
    scheduled_at: dt.datetime | None


def _out(issue: Issue) -> IssueOut:
    return IssueOut(
        **{f: getattr(issue, f) for f in IssueFields.model_fields},
        id=issue.id, slug=issue.slug, status=issue.status, version=issue.version, updated_by=issue.updated_by,
        sections=[SectionDraft(title=s.title, item_ids=[e.item_id for e in s.entries]) for s in issue.sections],
        translations=issue_translations(issue), edition_status=edition_statuses(draft_content(issue)),
    )


@router.get("")
def all_issues(viewer: Editor, settings: SettingsDep) -> list[IssueLine]:
    """Every issue, newest first."""
    with transaction(settings.database_url) as session:
        return [IssueLine(**vars(line)) for line in list_issues(session=session)]


@router.post("", status_code=201)
def new_issue(fields: IssueFields, viewer: Editor, settings: SettingsDep) -> IssueOut:
    """Create a draft issue with one empty section."""
    with transaction(settings.database_url) as session:
        return _out(create_issue(session=session, fields=fields, editor=viewer.name))


@router.get("/{issue_id}")
def read_issue(issue_id: IdPath, viewer: Editor, settings: SettingsDep) -> IssueOut:
    """One issue."""
    with transaction(settings.database_url) as session:
        return _out(get_issue(session=session, issue_id=issue_id))


@router.put("/{issue_id}", responses={409: {
    "model": ConflictOut | ErrorOut, "description": "Someone saved the issue since `version` (or it is scheduled)."}})
def save_issue(issue_id: IdPath, draft: IssueDraft, viewer: Editor, settings: SettingsDep) -> IssueOut:
    """Save the whole issue, if nobody else saved it since ``version`` (409 otherwise, saving nothing)."""
    with transaction(settings.database_url) as session:
        return _out(save_draft(session=session, issue_id=issue_id, draft=draft, editor=viewer.name))


@router.get("/{issue_id}/preview")
def preview(issue_id: IdPath, viewer: Editor, settings: SettingsDep, edition: EditionQuery = None) -> PreviewOut:
    """The rendered email (HTML and text, for a sample reader; of ``edition``, one of its
    language editions, when given), its size and the pre-flight checks of every edition."""
    with transaction(settings.database_url) as session:
        shown = preview_issue(get_issue(session=session, issue_id=issue_id), settings, edition)
    return PreviewOut(subject=shown.subject, preheader=shown.preheader, html_bytes=shown.html_bytes,
                      approvable=shown.approvable, findings=shown.findings, html=shown.html, text=shown.text)


@router.post("/{issue_id}/approve", responses={409: {
    "model": ConflictOut | ErrorOut, "description": "Someone saved the issue since `version`, or it is not a draft."}})
def approve(issue_id: IdPath, approval: Approval, viewer: Editor, settings: SettingsDep) -> IssueOut:
    """Draft -> ready, if the checks find no error in ``version``."""
    with transaction(settings.database_url) as session:
        return _out(approve_issue(session=session, settings=settings, issue_id=issue_id, version=approval.version,
                                  editor=viewer.name))


@router.post("/{issue_id}/test", responses={
    422: {"description": "The checks find errors in the issue: fix them first."},
    502: {"description": "The provider refused or failed the message."}})
def test_send(issue_id: IdPath, viewer: Editor, settings: SettingsDep, provider: ProviderDep,
              edition: EditionQuery = None) -> TestSent:
    """Send the issue as it would go out, its subject marked [Test], to the caller's own address
    (``?edition=es``: in that language edition)."""
    with transaction(settings.database_url) as session:  # rendered inside, sent after
        proof = prepare_test(session=session, settings=settings, issue_id=issue_id, to=viewer.email,
                             edition=edition)
    return TestSent(to=proof.recipient.email, message_id=send_test(settings=settings, provider=provider, message=proof))


@router.post("/{issue_id}/schedule", status_code=201, responses={
    409: {"description": "The issue is not approved (ready)."},
    422: {"description": "A list does not fit, the issue fails its checks, or the time cannot be read, does not "
                         "exist in the zone, or is in the past."}})
def schedule(issue_id: IdPath, plan: Schedule, viewer: Admin, settings: SettingsDep) -> Scheduled:
    """Schedule a ready issue (admins only), or send it now when ``at`` is omitted (the sweep
    queues its batches within the poll interval)."""
    with transaction(settings.database_url) as session:
        send = schedule_issue(session=session, settings=settings, issue_id=issue_id, list_names=plan.lists,
                              at=plan.at or None, timezone=plan.timezone)
        return Scheduled(send_id=send.id, status=send.status, scheduled_at=send.scheduled_at)
