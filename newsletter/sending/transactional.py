"""Single messages outside any send: the double opt-in confirmation, and test sends of an issue."""

import logging
from dataclasses import dataclass
from email.utils import make_msgid

from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.content.editions import edition_content
from newsletter.content.phrases import unnamed_reader
from newsletter.db.engine import transaction
from newsletter.editorial import get_issue, issue_content
from newsletter.editorial.branding import current_branding
from newsletter.editorial.preview import preview_issue
from newsletter.errors import ContentError, ProviderAuthError, ProviderError, TransientProviderError
from newsletter.links import Links
from newsletter.providers.base import OutgoingBatch, Provider, Recipient
from newsletter.rendering.personalise import PersonalisableTemplate
from newsletter.rendering.render import render_email, render_issue
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.confirmations import owed_confirmation, settle_confirmation
from newsletter.subscribers.consent import PendingConfirmation

log = logging.getLogger(__name__)


def send_owed_confirmation(*, settings: Settings, provider: Provider, subscriber_id: int, list_id: int) -> bool:
    """Send the confirmation email the membership owes, if it still owes one; True if sent.

    Read in one transaction and sent after it, so a slow relay holds no database connection;
    then the request is settled, unless the person asked again meanwhile (that request stays
    owed and gets its own email). Nobody who confirmed, bounced or complained since is emailed.
    A relay that fails for a passing reason or refuses our credentials leaves the email owed,
    and the sweep hands it out again after NEWSLETTER_BATCH_STUCK_AFTER; any other failure
    settles it (the person sees nothing either way, and may ask again).
    """
    url = settings.database_url
    with transaction(url) as session:
        owed = owed_confirmation(session=session, subscriber_id=subscriber_id, list_id=list_id)
    if owed is None:
        return False
    sent = False
    if owed.pending is not None:
        try:
            send_confirmation(settings=settings, provider=provider, pending=owed.pending)
            sent = True
        except (TransientProviderError, ProviderAuthError) as err:
            log.warning("confirmation email to subscriber %s not sent, to be tried again: %s", subscriber_id, err)
            return False
        except ProviderError as err:
            log.error("confirmation email to subscriber %s failed: %s", subscriber_id, err)
    with transaction(url) as session:
        settle_confirmation(session=session, subscriber_id=subscriber_id, list_id=list_id,
                            requested_at=owed.requested_at)
    return sent


def send_confirmation(*, settings: Settings, provider: Provider, pending: PendingConfirmation) -> None:
    """Email ``pending`` the link that confirms their subscription, through ``provider``."""
    links = Links(settings)
    html, text = render_email(
        "confirm",
        settings,
        confirm_url=links.confirm_url(pending.subscriber_id, pending.list_id),
        list_title=pending.list_title,
        name=pending.name,
    )
    recipient = Recipient(
        delivery_id=0,
        email=pending.email,
        name=pending.name,
        message_id=make_msgid("confirm", domain=settings.sender_domain),
        unsubscribe_url=links.unsubscribe_url(pending.subscriber_id, pending.list_id),
        fields={},
    )
    _send_one(settings, provider, f"Confirm your subscription to {pending.list_title}", html, text, recipient)


@dataclass(frozen=True)
class IssueProof:
    """A test copy of an issue, rendered and ready to go: made inside a transaction by
    :func:`prepare_test`, sent after it by :func:`send_test`, so a slow relay holds no
    database connection."""

    subject: str
    html: PersonalisableTemplate
    text: PersonalisableTemplate
    recipient: Recipient


def prepare_test(*, session: Session, settings: Settings, issue_id: int, to: str, checked: bool = True,
                 edition: str | None = None) -> IssueProof:
    """Issue ``issue_id`` as it would go out, subject marked [Test], for one address: in its
    ``edition`` (a language it goes out in; default: the main one).

    With ``checked`` (the newsroom and the API), an issue the pre-flight checks find errors
    in is refused with ContentError naming them; the command line sends it anyway and shows
    the checks itself. The unsubscribe link of a test message leads nowhere.
    """
    try:
        address = normalise_email(to)
    except ValueError as err:
        raise ContentError(f"{to!r} is not a valid address: {err}") from None
    issue = get_issue(session=session, issue_id=issue_id)
    if checked:
        errors = [f.message for f in preview_issue(issue, settings).findings if f.level == "error"]
        if errors:
            raise ContentError("fix the errors the checks list first: " + " ".join(errors))
    content = issue_content(issue)
    if edition == content.language:
        edition = None  # the main one, by name
    if edition is not None:
        if edition not in content.editions:
            known = ", ".join([content.language, *content.editions])
            raise ContentError(f"issue {issue_id} has no {edition!r} edition (it has: {known})")
        content = edition_content(content, edition)
    rendered = render_issue(content, settings, branding=current_branding(session=session, settings=settings))
    unsubscribe_url = f"{settings.base_url}/unsubscribe/test-message"
    recipient = Recipient(
        delivery_id=0,
        email=address,
        name=None,
        message_id=make_msgid("test", domain=settings.sender_domain),
        unsubscribe_url=unsubscribe_url,
        fields={
            "name": unnamed_reader(content.language),
            "email": address,
            "unsubscribe_url": unsubscribe_url,
            "web_url": Links(settings).archive_url(issue.slug, edition),
        },
    )
    return IssueProof(f"[Test] {rendered.subject}", rendered.html, rendered.text, recipient)


def send_test(*, settings: Settings, provider: Provider, message: IssueProof) -> str:
    """Send a prepared test message (outside any transaction); its Message-ID."""
    _send_one(settings, provider, message.subject, message.html, message.text, message.recipient)
    return message.recipient.message_id


def _send_one(settings: Settings, provider: Provider, subject: str, html: PersonalisableTemplate,
              text: PersonalisableTemplate, recipient: Recipient) -> None:
    batch = OutgoingBatch(
        send_id=None,
        batch_id=None,
        subject=subject,
        from_email=settings.from_email,
        from_name=settings.from_name,
        reply_to=settings.reply_to,
        list_unsubscribe_mailto=settings.list_unsubscribe_mailto,
        html=html,
        text=text,
        recipients=[recipient],
    )
    [result] = provider.send_batch(batch)
    if not result.accepted:
        error = TransientProviderError if result.retry else ProviderError  # retry: a 4xx, a lost connection
        raise error(provider.name, result.error or "the message was refused")
