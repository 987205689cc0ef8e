"""The web archive of sent issues, its Atom feed, and the home page that leads there."""

import datetime as dt

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from newsletter.config import Settings
from newsletter.content.models import IssueContent
from newsletter.content.phrases import long_date as long_date_in
from newsletter.content.phrases import phrases
from newsletter.db import transaction
from newsletter.editorial.archive import (
    ArchivedIssue,
    archive_index,
    archive_path,
    archived_edition,
    archived_issue,
    chrome,
    edition_links,
    sent_in,
    sent_issues,
)
from newsletter.editorial.branding import current_branding
from newsletter.rendering.shapes import brand_context, shape_context
from newsletter.web.deps import PagesDep, SettingsDep
from newsletter.web.pages import Pages

router = APIRouter(tags=["archive"])


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The home page: past issues are all the public site has to show (302: that may change)."""
    return RedirectResponse("/archive", status_code=302)


@router.get("/archive", response_class=HTMLResponse)
def archive(settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """Every sent issue, newest first, each in its main language."""
    return _index(settings, pages, None)


@router.get("/archive/in/{language}", response_class=HTMLResponse)
def language_archive(language: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """The issues sent in ``language``, newest first, each as its edition in that language
    (404 for a language none went out in)."""
    return _index(settings, pages, language)


def _index(settings: Settings, pages: Pages, language: str | None) -> HTMLResponse:
    with transaction(settings.database_url) as session:
        index = archive_index(session=session, language=language)
        branding = current_branding(session=session, settings=settings)
    return pages.render("archive", title=index.chrome.words["past_issues"], index=index, chrome=index.chrome,
                        alternates=index.languages if language else [], **brand_context(branding))


@router.get("/archive/feed.xml")
def feed(settings: SettingsDep, pages: PagesDep) -> Response:
    """An Atom feed of the archive; each entry is titled with the issue's subject line, since
    the title of a newsletter is the same every week."""
    with transaction(settings.database_url) as session:
        sent = [(issue, issue.content) for issue in sent_issues(session=session, limit=50)]
    return _feed(pages, sent, language=None)


@router.get("/archive/feed/{language}.xml")
def language_feed(language: str, settings: SettingsDep, pages: PagesDep) -> Response:
    """The Atom feed of the issues sent in ``language``, each entry its edition in that language."""
    with transaction(settings.database_url) as session:
        sent = sent_in(session=session, language=language)
    return _feed(pages, sent, language=language)


def _feed(pages: Pages, sent: list[tuple[ArchivedIssue, IssueContent]], *, language: str | None) -> Response:
    entries = [
        {"title": content.effective_subject, "path": archive_path(issue, language), "updated": _rfc3339(issue.sent_at),
         "summary": content.preheader or content.intro or content.title}
        for issue, content in sent
    ]
    updated = entries[0]["updated"] if entries else _rfc3339(dt.datetime.now(dt.UTC))
    xml = pages.env.get_template("web/feed.xml.j2").render(
        **pages.brand, entries=entries, updated=updated, language=language,
        self_path=chrome(language).feed_path, index_path=chrome(language).index_path)
    return Response(xml, media_type="application/atom+xml")


@router.get("/archive/{slug}", response_class=HTMLResponse)
@router.get("/archive/{slug}/{language}", response_class=HTMLResponse)
def issue_page(slug: str, settings: SettingsDep, pages: PagesDep, language: str | None = None) -> Response:
    """The web version of a sent issue, as it was sent, in its main language or as one of its
    editions (``/archive/<slug>/es``). Another address of the issue (the one it was created
    with, before its date changed; its main language's edition) redirects to its address for good."""
    with transaction(settings.database_url) as session:
        sent = archived_issue(session=session, slug=slug)
        branding = current_branding(session=session, settings=settings)
    if sent.slug != slug or language == sent.content.language:
        return RedirectResponse(archive_path(sent, language), status_code=301)
    content = archived_edition(sent, language)
    editions = edition_links(sent, content.language)
    return pages.render("issue", title=content.title, issue=content, chrome=chrome(content.language),
                        phrases=phrases(content.language, content.phrases), editions=editions, alternates=editions,
                        long_date=long_date_in(content.date, content.language), **shape_context(content, branding))


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
