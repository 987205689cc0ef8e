"""Storing issues (and their items) and reading them back for rendering."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from newsletter.content.models import IssueContent, SectionContent
from newsletter.db.models import Issue, IssueEntry, IssueSection, Item, Send
from newsletter.editorial.editions import (
    content_translations,
    issue_translation_rows,
    item_translation_rows,
    item_translations,
)
from newsletter.editorial.shapes import issue_shape, item_shape, stored_issue_shape
from newsletter.errors import NotFoundError


@dataclass(frozen=True)
class IssueSummary:
    """A line of ``newsletter issue list`` and of the newsroom's issues. ``subject`` is the
    subject line it goes out with: the title is the same every week, the subject is not."""

    id: int
    date: str
    title: str
    status: str
    item_count: int
    subject: str
    slug: str


def save_issue(*, session: Session, content: IssueContent) -> Issue:
    """Store ``content`` as a new draft issue with new items; return the issue."""
    issue = Issue(
        slug=unique_slug(session, content.slug),
        title=content.title,
        date=content.date,
        subject=content.subject,
        preheader=content.preheader,
        intro=content.intro,
        language=content.language,
        status="draft",
        editions=list(content.editions),
        phrases=dict(content.phrases),
        translations=issue_translation_rows(content),
        **stored_issue_shape(content),
    )
    for s_pos, section in enumerate(content.sections):
        row = IssueSection(position=s_pos, title=section.title)
        for i_pos, item in enumerate(section.items):
            stored = Item(
                url=item.url,
                headline=item.headline,
                blurb=item.blurb,
                source=item.source,
                image_url=item.image,
                image_alt=item.image_alt,
                language=content.language,
                translations=item_translation_rows(item),
                **item_shape(item),
            )
            row.entries.append(IssueEntry(item=stored, position=i_pos))
        issue.sections.append(row)
    session.add(issue)
    session.flush()
    return issue


def get_issue(*, session: Session, issue_id: int) -> Issue:
    """The issue with its sections and items loaded, or NotFoundError."""
    issue = session.scalar(
        select(Issue)
        .where(Issue.id == issue_id)
        .options(selectinload(Issue.sections).selectinload(IssueSection.entries).selectinload(IssueEntry.item))
    )
    if issue is None:
        raise NotFoundError(f"there is no issue {issue_id} (see `newsletter issue list`)")
    return issue


def issue_content(issue: Issue) -> IssueContent:
    """The stored issue as validated content, ready to render."""
    sections = [
        SectionContent(
            title=section.title,
            items=[
                {
                    "headline": e.item.headline,
                    "blurb": e.item.blurb,
                    "url": e.item.url,
                    "source": e.item.source,
                    "image": e.item.image_url,
                    "image_alt": e.item.image_alt,
                    "translations": item_translations(e.item, issue.editions),
                    **item_shape(e.item),
                }
                for e in section.entries
            ],
        )
        for section in issue.sections if issue.format != "article"  # an article has no items
    ]
    return IssueContent(
        title=issue.title,
        date=issue.date,
        subject=issue.subject,
        preheader=issue.preheader,
        intro=issue.intro,
        language=issue.language,
        editions=issue.editions,
        phrases=issue.phrases,
        translations=content_translations(issue),
        sections=sections,
        **issue_shape(issue),
    )


def list_issues(*, session: Session) -> list[IssueSummary]:
    """Every issue, newest first, with its item count."""
    counts = (
        select(IssueSection.issue_id, func.count(IssueEntry.id).label("n"))
        .join(IssueEntry, IssueEntry.section_id == IssueSection.id)
        .group_by(IssueSection.issue_id)
        .subquery()
    )
    rows = session.execute(
        select(Issue.id, Issue.date, Issue.title, Issue.status, func.coalesce(counts.c.n, 0).label("items"),
               Issue.subject, Issue.slug)
        .outerjoin(counts, counts.c.issue_id == Issue.id)
        .order_by(Issue.date.desc(), Issue.id.desc())
    )
    return [
        IssueSummary(r.id, r.date.isoformat(), r.title, r.status, r.items,
                     # the subject line as rendered (the one given, or the title and date), without
                     # loading the sections that a validated IssueContent needs
                     IssueContent.model_construct(title=r.title, date=r.date, subject=r.subject).effective_subject,
                     r.slug)
        for r in rows
    ]


def unique_slug(session: Session, slug: str, *, issue_id: int | None = None) -> str:
    """``slug``, or ``slug-2``, ``slug-3``... if an issue other than ``issue_id`` has it
    already, as the address it was created with or as the archive address of one of its
    sends: the old address of an issue redirects to its archive address, so an address
    leads to one issue."""
    issues = select(Issue.slug).where(Issue.slug.startswith(slug))
    sends = select(Send.archive_slug).where(Send.archive_slug.startswith(slug))
    if issue_id is not None:
        issues, sends = issues.where(Issue.id != issue_id), sends.where(Send.issue_id != issue_id)
    taken = set(session.scalars(issues)) | set(session.scalars(sends))
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate
