"""The web archive of sent issues, its Atom feed, and the home page that leads there."""

import datetime as dt

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from newsletter.db import transaction
from newsletter.editorial.archive import archived_issue, sent_issues
from newsletter.web.deps import PagesDep, SettingsDep

router = APIRouter(tags=["archive"])


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The home page: past issues are all the public site has to show (302: that may change)."""
    return RedirectResponse("/archive", status_code=302)


@router.get("/archive", response_class=HTMLResponse)
def archive(settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """Every sent issue, newest first."""
    with transaction(settings.database_url) as session:
        issues = sent_issues(session=session)
    return pages.render("archive", title="Past issues", issues=issues)


@router.get("/archive/feed.xml")
def feed(settings: SettingsDep, pages: PagesDep) -> Response:
    """An Atom feed of the archive; each entry is titled with the issue's subject line, since
    the title of a newsletter is the same every week."""
    with transaction(settings.database_url) as session:
        entries = [
            {"title": sent.content.effective_subject, "slug": sent.slug, "updated": _rfc3339(sent.sent_at),
             "summary": sent.content.preheader or sent.content.intro or sent.content.title}
            for sent in sent_issues(session=session, limit=50)
        ]
    updated = entries[0]["updated"] if entries else _rfc3339(dt.datetime.now(dt.UTC))
    xml = pages.env.get_template("web/feed.xml.j2").render(**pages.brand, entries=entries, updated=updated)
    return Response(xml, media_type="application/atom+xml")


@router.get("/archive/{slug}", response_class=HTMLResponse)
def issue_page(slug: str, settings: SettingsDep, pages: PagesDep) -> Response:
    """The web version of a sent issue, as it was sent. Another address of the issue (the one
    it was created with, before its date changed) redirects to its address for good."""
    with transaction(settings.database_url) as session:
        sent = archived_issue(session=session, slug=slug)
    if sent.slug != slug:
        return RedirectResponse(f"/archive/{sent.slug}", status_code=301)
    content = sent.content
    return pages.render("issue", title=content.title, issue=content, page_language=content.language,
                        page_direction=content.direction, long_date=f"{content.date.day} {content.date:%B %Y}")


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
