"""The database schema, one module per domain. Alembic migrations in ``migrations/`` must match
it (a test checks). Every table is importable from here: ``from newsletter.db.models import Send``.

- editorial: items collected through the week, issues made of sections of items;
- audience: mailing lists, subscribers and their subscriptions;
- sending: sends, their audience, batches and deliveries;
- people: the editors and admins of the web app, and their API tokens;
- editions: translations of issues and items, and each send's rendering per edition;
- tracking: delivery events, suppressions, each send's tracked links and its kept counts;
- intake: the feeds polled for new inbox items.
"""

from newsletter.db.models.audience import MailingList, Subscriber, SubscriberImport, Subscription
from newsletter.db.models.base import NAMING_CONVENTION, Base, as_utc, utcnow
from newsletter.db.models.branding import BrandingOverride
from newsletter.db.models.editions import IssueTranslation, ItemTranslation, SendEdition
from newsletter.db.models.editorial import Issue, IssueEntry, IssueSection, Item
from newsletter.db.models.intake import FeedSource
from newsletter.db.models.people import ApiToken, User
from newsletter.db.models.sending import Batch, Delivery, Send, SendList
from newsletter.db.models.tracking import (
    DeliveryEvent,
    DeliveryFirst,
    SendCount,
    SendDomainCount,
    SendLink,
    SendLinkCount,
    Suppression,
)

__all__ = [
    "NAMING_CONVENTION",
    "ApiToken",
    "Base",
    "Batch",
    "BrandingOverride",
    "Delivery",
    "DeliveryEvent",
    "DeliveryFirst",
    "FeedSource",
    "Issue",
    "IssueEntry",
    "IssueSection",
    "IssueTranslation",
    "Item",
    "ItemTranslation",
    "MailingList",
    "Send",
    "SendCount",
    "SendDomainCount",
    "SendEdition",
    "SendLink",
    "SendLinkCount",
    "SendList",
    "Subscriber",
    "SubscriberImport",
    "Subscription",
    "Suppression",
    "User",
    "as_utc",
    "utcnow",
]
