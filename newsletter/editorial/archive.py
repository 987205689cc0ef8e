"""The public archive: issues that have been sent, and only those, as they were sent.

A send keeps the issue's content as it was when the send was made (``Send.archive``) and an
archive address made from that content's date and title (``Send.archive_slug``). An issue
shows in the archive as its earliest started send kept it, at that send's address, so an
item edited later, or an issue whose date changed before it went out, does not change what
readers were sent or where it lives. The address the issue was created with leads there too
(the page redirects). Sends made before migration 0007 kept nothing: their issue shows as
it is now, at the address it was created with.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from newsletter.content.editions import edition_content, edition_languages
from newsletter.content.models import IssueContent
from newsletter.content.phrases import language_name
from newsletter.db.models import Issue, Send
from newsletter.editorial.issues import get_issue, unique_slug
from newsletter.editorial.preview import draft_content
from newsletter.errors import NotFoundError

_SENT = exists().where(Send.issue_id == Issue.id, Send.started_at.is_not(None))  # reached someone
_earlier = aliased(Send)
_FIRST_SEND = (  # the id of an issue's earliest started send: the one the archive shows
    select(_earlier.id).where(_earlier.issue_id == Issue.id, _earlier.started_at.is_not(None))
    .order_by(_earlier.started_at, _earlier.id).limit(1).correlate(Issue).scalar_subquery()
)
_AS_SENT = select(Issue, Send.archive, Send.archive_slug, Send.started_at).join(Send, Send.id == _FIRST_SEND)


@dataclass(frozen=True)
class ArchivedIssue:
    """A sent issue as the archive shows it: its content as first sent, its address, and when
    that send started."""

    issue_id: int
    slug: str
    content: IssueContent
    sent_at: dt.datetime


def snapshot(content: IssueContent) -> dict[str, Any]:
    """``content`` as JSON, to keep with a send (``Send.archive``)."""
    return content.model_dump(mode="json")


def archive_slug(*, session: Session, issue_id: int, content: IssueContent) -> str:
    """The archive address of issue ``issue_id`` sent as ``content``: made from its date and
    title as sent, like the address an issue is created with, and unique among issues."""
    return unique_slug(session, content.slug, issue_id=issue_id)


def sent_issues(*, session: Session, limit: int = 200) -> list[ArchivedIssue]:
    """Sent issues, newest first, as their earliest started send kept them."""
    rows = session.execute(_AS_SENT.order_by(Issue.date.desc(), Issue.id.desc()).limit(limit))
    return [_archived(session, *row) for row in rows]


def archived_issue(*, session: Session, slug: str) -> ArchivedIssue:
    """The sent issue at ``slug``: its archive address, or another address it had (the one it
    was created with, or a later send's); then the result's ``slug`` differs, and is where it
    lives. A draft or an unknown slug is NotFoundError."""
    issue_id = session.scalar(
        select(Send.issue_id).where(Send.archive_slug == slug, Send.started_at.is_not(None)).limit(1)
    ) or session.scalar(select(Issue.id).where(Issue.slug == slug, _SENT))
    if issue_id is None:
        raise NotFoundError("there is no such issue in the archive")
    return _archived(session, *session.execute(_AS_SENT.where(Issue.id == issue_id)).one())


def _archived(session: Session, issue: Issue, archive: dict | None, slug: str, sent_at: dt.datetime) -> ArchivedIssue:
    if archive is None:  # sent before sends kept the issue (migration 0007): the issue as it is now
        # Without the completeness rules: an item of it may since have lost its blurb.
        content = draft_content(get_issue(session=session, issue_id=issue.id))
        return ArchivedIssue(issue.id, issue.slug, content, sent_at)
    return ArchivedIssue(issue.id, slug, IssueContent.model_validate(archive), sent_at)


def archive_path(sent: ArchivedIssue, language: str | None = None) -> str:
    """The path of ``sent``'s page in ``language``: ``/archive/<slug>`` for its main language,
    ``/archive/<slug>/<language>`` for an edition."""
    if language is None or language == sent.content.language:
        return f"/archive/{sent.slug}"
    return f"/archive/{sent.slug}/{language}"


def archived_edition(sent: ArchivedIssue, language: str | None) -> IssueContent:
    """``sent`` as its edition ``language`` (None: the main one) reads; NotFoundError for a
    language it was not sent in."""
    if language is None:
        return sent.content
    if language not in edition_languages(sent.content):
        raise NotFoundError(f"this issue has no {language} edition")
    return edition_content(sent.content, language)


@dataclass(frozen=True)
class EditionLink:
    """A link to one edition of an archived issue, for ``hreflang`` alternates and the language switch."""

    language: str
    name: str  # the language's name in itself
    path: str
    current: bool


def edition_links(sent: ArchivedIssue, current: str) -> list[EditionLink]:
    """Every edition of ``sent``, the main one first; none when it has no other edition."""
    languages = edition_languages(sent.content)
    if len(languages) == 1:
        return []
    return [EditionLink(language, language_name(language), archive_path(sent, language), language == current)
            for language in languages]


def sent_in(*, session: Session, language: str, limit: int = 50) -> list[tuple[ArchivedIssue, IssueContent]]:
    """Sent issues that went out in ``language`` (as their main language or an edition), newest
    first (among the last ``limit`` sent), each with its edition in that language."""
    return [(sent, edition_content(sent.content, language)) for sent in sent_issues(session=session, limit=limit)
            if language in edition_languages(sent.content)]
