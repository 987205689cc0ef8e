"""Delivery providers behind one small interface, chosen by NEWSLETTER_EMAIL_BACKEND."""

from newsletter.config import Settings
from newsletter.providers.base import OutgoingBatch, Provider, Recipient, RecipientResult
from newsletter.providers.console import ConsoleProvider
from newsletter.providers.file import FileProvider
from newsletter.providers.sendgrid import SendGridProvider
from newsletter.providers.smtp import SmtpProvider


def provider_from_settings(settings: Settings) -> Provider:
    """The provider NEWSLETTER_EMAIL_BACKEND names, configured from the settings."""
    if settings.email_backend == "console":
        return ConsoleProvider()
    if settings.email_backend == "smtp":
        return SmtpProvider(settings)
    if settings.email_backend == "sendgrid":
        return SendGridProvider(settings)
    return FileProvider(settings.outbox_dir)


__all__ = [
    "ConsoleProvider",
    "FileProvider",
    "OutgoingBatch",
    "Provider",
    "Recipient",
    "RecipientResult",
    "SendGridProvider",
    "SmtpProvider",
    "provider_from_settings",
]
