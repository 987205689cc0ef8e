"""The public archive: issues that have been sent, and only those, as they were sent.

A send keeps the issue's content as it was when the send was made (``Send.archive``) and an
archive address made from that content's date and title (``Send.archive_slug``). An issue
shows in the archive as its earliest started send kept it, at that send's address, so an
item edited later, or an issue whose date changed before it went out, does not change what
readers were sent or where it lives. The address the issue was created with leads there too
(the page redirects). Sends made before migration 0007 kept nothing: their issue shows as
it is now, at the address it was created with.

The archive's indexes list every issue in its main language (``/archive``), or the issues sent
in one language, each as its edition in that language (``/archive/in/<language>``). A page's
chrome (the skip link, the links to past issues and the feed) is in the page's language and
leads to that language's index and feed.
"""

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from newsletter.content.editions import edition_content, edition_languages
from newsletter.content.models import IssueContent, text_direction
from newsletter.content.phrases import (
    DEFAULT_LANGUAGE,
    language_name,
    long_date,
    site_phrases,
)
from newsletter.db.models import Issue, Send
from newsletter.editorial.issues import get_issue, unique_slug
from newsletter.editorial.preview import draft_content
from newsletter.errors import NotFoundError
from newsletter.subscribers.languages import sent_languages

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


@dataclass(frozen=True)
class Chrome:
    """What a public page says around its content, in the page's language: its words (the
    catalogue's site phrases), its direction, and the archive index and feed it leads to."""

    language: str
    direction: str
    words: dict[str, str]
    index_path: str
    feed_path: str


def chrome(language: str | None = None) -> Chrome:
    """The chrome of a page in ``language``, leading to that language's index and feed; None:
    the whole archive's (``/archive``, ``/archive/feed.xml``), in English."""
    if language is None:
        return Chrome(DEFAULT_LANGUAGE, "ltr", site_phrases(DEFAULT_LANGUAGE), "/archive", "/archive/feed.xml")
    return Chrome(language, text_direction(language), site_phrases(language), f"/archive/in/{language}",
                  f"/archive/feed/{language}.xml")


def reader_chrome(language: str) -> Chrome:
    """The chrome of a reader's own page (unsubscribing, preferences) in ``language``, leading to
    the whole archive's index and feed: nothing may have gone out in ``language``."""
    return replace(chrome(), language=language, direction=text_direction(language), words=site_phrases(language))


@dataclass(frozen=True)
class IndexEntry:
    """A row of an archive index: an issue as one of its editions reads, dated in its language."""

    subject: str
    date: dt.date
    long_date: str
    language: str
    direction: str
    path: str


@dataclass(frozen=True)
class ArchiveIndex:
    """An archive index: its rows, newest first; every language's index (none when every issue
    went out in one language), for ``hreflang`` alternates and a language switch; its chrome."""

    language: str | None  # None: every issue, in its main language
    entries: list[IndexEntry]
    languages: list[EditionLink]
    chrome: Chrome


def archive_index(*, session: Session, language: str | None = None) -> ArchiveIndex:
    """The index of the issues sent in ``language`` (None: of every sent issue) among the
    newest sent; NotFoundError for a language no issue ever went out in (every issue page
    links its language's index, however old the issue)."""
    return index_of(sent_issues(session=session), language, also=sent_languages(session=session))


def index_of(sent: list[ArchivedIssue], language: str | None, *, also: set[str] = frozenset()) -> ArchiveIndex:
    """The index of ``sent`` (newest first) in ``language``: the issues sent in it, each as its
    edition in it, with its subject (or title) and date in that language; ``also``: languages
    older issues went out in, which have an index too."""
    languages = sorted({*also, *(tag for issue in sent for tag in edition_languages(issue.content))})
    if language is not None and language not in languages:
        raise NotFoundError(f"no issue has been sent in {language}")
    entries = [_entry(issue, language) for issue in sent
               if language is None or language in edition_languages(issue.content)]
    links = [EditionLink(tag, language_name(tag), chrome(tag).index_path, tag == language) for tag in languages]
    return ArchiveIndex(language, entries, links if len(links) > 1 else [], chrome(language))


def _entry(sent: ArchivedIssue, language: str | None) -> IndexEntry:
    content = edition_content(sent.content, language or sent.content.language)
    return IndexEntry(content.subject or content.title, content.date, long_date(content.date, content.language),
                      content.language, text_direction(content.language), archive_path(sent, language))

