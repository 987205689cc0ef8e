"""Confirmation emails the subscribe form owes, sent by a worker rather than inside the request.

A public page must not wait on the mail relay (up to NEWSLETTER_SMTP_TIMEOUT). So the form
only marks the membership (``confirmation_requested_at``); the sweep hands each owed email
to a worker (``confirmation_queued_at``), and the worker sends it and settles it, unless a
newer request came in meanwhile: that one stays owed and gets its own email. Requests made
before the sweep gets to them make one email. A worker that stopped, or a relay that failed
for a passing reason, leaves the email owed, and the sweep hands it out again after
NEWSLETTER_BATCH_STUCK_AFTER seconds.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.models import MailingList, Subscriber, Subscription
from newsletter.subscribers.consent import PendingConfirmation, pending_confirmation


def owe_confirmation(*, session: Session, subscriber_id: int, list_id: int, now: dt.datetime) -> None:
    """Record that the membership is owed a confirmation email, asked for at ``now``."""
    session.execute(
        update(Subscription)
        .where(Subscription.subscriber_id == subscriber_id, Subscription.list_id == list_id)
        .values(confirmation_requested_at=now)
    )


def confirmations_to_send(*, session: Session, settings: Settings, now: dt.datetime) -> list[tuple[int, int]]:
    """Owed confirmation emails with no live worker, as (subscriber id, list id); marked queued.

    One needs a worker when it never had one, when it was asked for again since it was
    handed out, or when it was handed out more than NEWSLETTER_BATCH_STUCK_AFTER ago (its
    worker stopped, or the relay failed for a passing reason). The caller publishes a task each.
    """
    stale = now - dt.timedelta(seconds=settings.batch_stuck_after)
    queued = Subscription.confirmation_queued_at
    claimed = session.execute(
        update(Subscription)
        .where(Subscription.confirmation_requested_at.is_not(None),
               or_(queued.is_(None), queued < Subscription.confirmation_requested_at, queued < stale))
        .values(confirmation_queued_at=now)
        .returning(Subscription.subscriber_id, Subscription.list_id)
        .execution_options(synchronize_session=False)
    )
    return sorted((subscriber_id, list_id) for subscriber_id, list_id in claimed)


@dataclass(frozen=True)
class OwedConfirmation:
    """A confirmation email a membership owes: the request it answers, and whom to send it to
    (None when nobody should be emailed any more: they confirmed, bounced or complained since)."""

    requested_at: dt.datetime
    pending: PendingConfirmation | None


def owed_confirmation(*, session: Session, subscriber_id: int, list_id: int) -> OwedConfirmation | None:
    """The confirmation email the membership owes now, if any (the rules of the subscribe form)."""
    subscription = session.get(Subscription, (list_id, subscriber_id))
    if subscription is None or subscription.confirmation_requested_at is None:
        return None
    pending = pending_confirmation(subscriber=session.get_one(Subscriber, subscriber_id), subscription=subscription,
                                   mailing_list=session.get_one(MailingList, list_id))
    return OwedConfirmation(subscription.confirmation_requested_at, pending)


def settle_confirmation(*, session: Session, subscriber_id: int, list_id: int, requested_at: dt.datetime) -> bool:
    """Mark the request made at ``requested_at`` answered; False if a newer one came in since
    (it stays owed, for the sweep to hand out)."""
    return session.execute(
        update(Subscription)
        .where(Subscription.subscriber_id == subscriber_id, Subscription.list_id == list_id,
               Subscription.confirmation_requested_at == requested_at)
        .values(confirmation_requested_at=None, confirmation_queued_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
