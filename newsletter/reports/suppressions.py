"""The suppression list as the newsroom, the API and the command line show it: each entry
with whether an admin may lift it, and if not, why; and lifting a bounce by address."""

from sqlalchemy.orm import Session

from newsletter.db.models import as_utc
from newsletter.errors import ContentError
from newsletter.reports.models import LiftOut, SuppressionList, SuppressionOut
from newsletter.subscribers import normalise_email
from newsletter.tracking import SuppressionEntry, lift_suppression, list_suppressions

ONLY_THEY = "only they can undo that, by subscribing again and confirming it"
WHY_NOT = {"complained": f"They marked a message as spam: {ONLY_THEY}.",
           "unsubscribed": f"They unsubscribed at the provider: {ONLY_THEY}."}


def suppression_list(*, session: Session, include_lifted: bool = False, limit: int = 500) -> SuppressionList:
    """The newest ``limit`` suppressions in force (and the lifted ones too, with
    ``include_lifted``), newest first."""
    entries = list_suppressions(session=session, include_lifted=include_lifted, limit=limit + 1)
    return SuppressionList(include_lifted=include_lifted, limit=limit, more=len(entries) > limit,
                           suppressions=[suppression_out(entry) for entry in entries[:limit]])


def suppression_out(entry: SuppressionEntry) -> SuppressionOut:
    lifted = entry.lifted_at is not None
    return SuppressionOut(
        email=entry.email, reason=entry.reason, detail=entry.detail, event_kind=entry.event_kind,
        created_at=as_utc(entry.created_at), lifted_at=as_utc(entry.lifted_at) if lifted else None,
        lifted_by=entry.lifted_by, can_lift=entry.reason == "bounced" and not lifted,
        why_not=None if lifted else WHY_NOT.get(entry.reason),
    )


def lift_bounce(*, session: Session, email: str, by: str) -> LiftOut:
    """Let a bounced address get mail again, recording ``by`` as who lifted it: ContentError
    for what is not an address, NotFoundError for an unknown one, SendStateError for one not
    bounced (a complaint or an unsubscribe only the person can undo)."""
    try:
        address = normalise_email(email)
    except ValueError as err:
        raise ContentError(f"{email!r} is not an email address: {err}") from None
    lift_suppression(session=session, email=address, by=by)
    return LiftOut(email=address, lifted_by=by)
