"""The item inbox: curated items collected through the week, searched and reused."""

from dataclasses import dataclass

from sqlalchemy import String, cast, exists, func, or_, select, update
from sqlalchemy.orm import Session

from newsletter.db.models import Issue, IssueEntry, IssueSection, Item
from newsletter.editorial.drafts import ItemDraft
from newsletter.errors import ContentError, NotFoundError

# Each word is one more LIKE over five columns: a thousand words took seconds, then failed.
MAX_SEARCH_WORDS = 20
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class ItemUse:
    """An issue an item appears in."""

    issue_id: int
    title: str
    status: str


def create_item(*, session: Session, draft: ItemDraft) -> Item:
    """Store a new item in the inbox."""
    item = Item(**draft.model_dump())
    session.add(item)
    session.flush()
    return item


def update_item(*, session: Session, item_id: int, draft: ItemDraft) -> Item:
    """Replace the fields of item ``item_id``. Issues using it show the change; an approved
    (ready) one goes back to draft, since what was approved changed. A scheduled or sent
    issue's email and archive page were kept when it was scheduled: neither changes."""
    item = get_item(session=session, item_id=item_id)
    for field, value in draft.model_dump().items():
        setattr(item, field, value)
    reopen_issues_of(session=session, item_id=item_id)
    session.flush()
    return item


def reopen_issues_of(*, session: Session, item_id: int) -> None:
    """Return the approved (ready) issues that use item ``item_id`` to draft: what was approved changed."""
    in_issues = select(IssueSection.issue_id).join(IssueEntry, IssueEntry.section_id == IssueSection.id).where(
        IssueEntry.item_id == item_id)
    session.execute(
        update(Issue).where(Issue.id.in_(in_issues), Issue.status == "ready")
        .values(status="draft", version=Issue.version + 1).execution_options(synchronize_session=False)
    )


def get_item(*, session: Session, item_id: int) -> Item:
    """Item ``item_id``, or NotFoundError."""
    item = session.get(Item, item_id)
    if item is None:
        raise NotFoundError(f"there is no item {item_id}")
    return item


def search_items(*, session: Session, query: str = "", unused_only: bool = False, limit: int = 200) -> list[Item]:
    """Items matching every word of ``query`` (in headline, blurb, link, source or tags),
    newest first; with ``unused_only``, only those in no issue yet (the inbox). A query of more
    than MAX_SEARCH_WORDS words or MAX_SEARCH_LENGTH characters is a ContentError."""
    words = query.lower().split()
    if len(query) > MAX_SEARCH_LENGTH or len(words) > MAX_SEARCH_WORDS:
        raise ContentError(f"search for at most {MAX_SEARCH_WORDS} words and {MAX_SEARCH_LENGTH} characters")
    statement = select(Item).order_by(Item.created_at.desc(), Item.id.desc()).limit(limit)
    haystack = (Item.headline, Item.blurb, Item.url, Item.source, cast(Item.tags, String))
    for word in words:
        statement = statement.where(or_(*(func.lower(c).contains(word, autoescape=True) for c in haystack)))
    if unused_only:
        statement = statement.where(~exists().where(IssueEntry.item_id == Item.id))
    return list(session.scalars(statement))


def item_uses(*, session: Session, item_ids: list[int]) -> dict[int, list[ItemUse]]:
    """For each of ``item_ids`` that is in an issue, the issues it is in."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(IssueEntry.item_id, Issue.id, Issue.title, Issue.status)
        .join(IssueSection, IssueSection.id == IssueEntry.section_id)
        .join(Issue, Issue.id == IssueSection.issue_id)
        .where(IssueEntry.item_id.in_(item_ids))
        .order_by(Issue.date.desc())
    )
    uses: dict[int, list[ItemUse]] = {}
    for item_id, issue_id, title, status in rows:
        uses.setdefault(item_id, []).append(ItemUse(issue_id, title, status))
    return uses
