"""The public archive: issues that have been sent, and only those."""

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from newsletter.db.models import Issue, Send
from newsletter.editorial.issues import get_issue
from newsletter.errors import NotFoundError

_SENT = exists().where(Send.issue_id == Issue.id, Send.started_at.is_not(None))  # reached someone


def sent_issues(*, session: Session, limit: int = 200) -> list[tuple[Issue, object]]:
    """Sent issues, newest first, each with when its first send started."""
    first_sent = select(func.min(Send.started_at)).where(Send.issue_id == Issue.id).scalar_subquery()
    rows = session.execute(
        select(Issue, first_sent).where(_SENT).order_by(Issue.date.desc(), Issue.id.desc()).limit(limit)
    )
    return [(issue, sent_at) for issue, sent_at in rows]


def get_sent_issue(*, session: Session, slug: str) -> Issue:
    """A sent issue by slug, with its items; drafts are NotFoundError like unknown slugs."""
    issue_id = session.scalar(select(Issue.id).where(Issue.slug == slug, _SENT))
    if issue_id is None:
        raise NotFoundError("there is no such issue in the archive")
    return get_issue(session=session, issue_id=issue_id)
