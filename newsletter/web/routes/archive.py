"""The web archive of sent issues and its Atom feed."""

import datetime as dt

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from newsletter.db import transaction
from newsletter.editorial import issue_content
from newsletter.editorial.archive import get_sent_issue, sent_issues
from newsletter.web.deps import PagesDep, SettingsDep

router = APIRouter(prefix="/archive", tags=["archive"])


@router.get("", response_class=HTMLResponse)
def archive(settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """Every sent issue, newest first."""
    with transaction(settings.database_url) as session:
        issues = [issue for issue, _ in sent_issues(session=session)]
    return pages.render("archive", title="Past issues", issues=issues)


@router.get("/feed.xml")
def feed(settings: SettingsDep, pages: PagesDep) -> Response:
    """An Atom feed of the archive."""
    with transaction(settings.database_url) as session:
        rows = sent_issues(session=session, limit=50)
        entries = [
            {"title": issue.title, "slug": issue.slug, "summary": issue.preheader or issue.intro or issue.title,
             "updated": _rfc3339(sent_at or issue.created_at)}
            for issue, sent_at in rows
        ]
    updated = entries[0]["updated"] if entries else _rfc3339(dt.datetime.now(dt.UTC))
    xml = pages.env.get_template("web/feed.xml.j2").render(**pages.brand, entries=entries, updated=updated)
    return Response(xml, media_type="application/atom+xml")


@router.get("/{slug}", response_class=HTMLResponse)
def issue_page(slug: str, settings: SettingsDep, pages: PagesDep) -> HTMLResponse:
    """The web version of a sent issue."""
    with transaction(settings.database_url) as session:
        content = issue_content(get_sent_issue(session=session, slug=slug))
    return pages.render("issue", title=content.title, issue=content, page_language=content.language,
                        page_direction=content.direction, long_date=f"{content.date.day} {content.date:%B %Y}")


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
