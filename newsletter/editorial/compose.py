"""Composing an issue: creating a draft, saving it without losing anyone's edits, approving.

Every save names the version it started from and is one conditional UPDATE: when two
editors save the same version, the first wins and the second gets EditConflictError with
who saved in between; nothing is silently overwritten. Saving a ready issue returns it to
draft, since what was approved has changed.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.content.models import issue_slug
from newsletter.db.models import Issue, IssueEntry, IssueSection, Item, utcnow
from newsletter.editorial.drafts import IssueDraft, IssueFields
from newsletter.editorial.editions import set_issue_translations
from newsletter.editorial.issues import get_issue, unique_slug
from newsletter.editorial.preview import preview_issue
from newsletter.errors import ContentError, EditConflictError, NotFoundError, SendStateError

EDITABLE = ("draft", "ready")


def create_issue(*, session: Session, fields: IssueFields, editor: str) -> Issue:
    """A new draft issue with one empty, untitled section."""
    issue = Issue(**fields.model_dump(), status="draft", updated_by=editor, version=1)
    issue.slug = unique_slug(session, issue_slug(fields.title, fields.date))
    issue.sections.append(IssueSection(position=0, title=None))
    session.add(issue)
    session.flush()
    return issue


def save_draft(*, session: Session, issue_id: int, draft: IssueDraft, editor: str) -> Issue:
    """Store ``draft`` as issue ``issue_id`` if nobody saved it since ``draft.version``.

    Raises EditConflictError when someone did, SendStateError when the issue is scheduled or
    sent, and ContentError for an unknown or repeated item.
    """
    item_ids = [item_id for section in draft.sections for item_id in section.item_ids]
    if len(set(item_ids)) != len(item_ids):
        raise ContentError("an item can appear only once in an issue")
    known = set(session.scalars(select(Item.id).where(Item.id.in_(item_ids)))) if item_ids else set()
    if missing := [i for i in item_ids if i not in known]:
        raise NotFoundError(f"there is no item {missing[0]}")
    fields = draft.model_dump(exclude={"version", "sections", "translations"})
    saved = session.execute(
        update(Issue)
        .where(Issue.id == issue_id, Issue.version == draft.version, Issue.status.in_(EDITABLE))
        .values(**fields, version=Issue.version + 1, status="draft", updated_by=editor, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if saved != 1:
        _refuse(session, issue_id)
    issue = get_issue(session=session, issue_id=issue_id)
    session.refresh(issue)
    issue.sections = [
        IssueSection(position=s, title=section.title,
                     entries=[IssueEntry(item_id=item_id, position=i) for i, item_id in enumerate(section.item_ids)])
        for s, section in enumerate(draft.sections)
    ]
    if draft.translations is not None:
        set_issue_translations(issue, {language: t.model_dump() for language, t in draft.translations.items()})
    session.flush()
    return issue


def approve_issue(*, session: Session, settings: Settings, issue_id: int, version: int, editor: str) -> Issue:
    """Move a draft to ready, if the pre-flight checks find no error in ``version`` of it.

    The move is one conditional UPDATE on that version: a save (or an item edit) that lands
    while the checks run makes a new version, so it is refused as a conflict, never approved unseen.
    """
    issue = get_issue(session=session, issue_id=issue_id)
    if issue.version != version:
        _refuse(session, issue_id)
    if issue.status != "draft":
        raise SendStateError(f"issue {issue_id} is {issue.status}; only a draft can be approved")
    errors = [f.message for f in preview_issue(issue, settings).findings if f.level == "error"]
    if errors:
        raise ContentError("fix these before approving: " + " ".join(errors))
    approved = session.execute(
        update(Issue)
        .where(Issue.id == issue_id, Issue.version == version, Issue.status == "draft")
        .values(status="ready", updated_by=editor, version=Issue.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if approved != 1:
        _refuse(session, issue_id)
    session.refresh(issue)
    return issue


def _refuse(session: Session, issue_id: int) -> None:
    current = session.get(Issue, issue_id, populate_existing=True)
    if current is None:
        raise NotFoundError(f"there is no issue {issue_id}")
    if current.status not in EDITABLE:
        raise SendStateError(f"issue {issue_id} is {current.status}: cancel its send to change it")
    raise EditConflictError(
        f"{current.updated_by or 'someone'} changed this issue since you opened it; "
        "nothing of yours was saved over theirs. Reload to see their changes.",
        version=current.version, updated_by=current.updated_by,
    )
