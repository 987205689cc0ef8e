"""The SMTP provider: one connection per batch, one message per recipient.

A recipient the server refuses (5xx) fails alone; a 4xx leaves that recipient for a retry.
If the connection is lost mid-batch, every recipient not yet accepted is left for a retry.
The message being transmitted when the connection dropped is the one case SMTP cannot
settle: the server may have taken it without our hearing the reply. It is sent again
(at least once, with the same Message-ID), never silently lost.
"""

import smtplib
import ssl
from email.utils import parseaddr

from newsletter.config import Settings
from newsletter.errors import ProviderAuthError, ProviderError, TransientProviderError
from newsletter.providers.base import OutgoingBatch, Provider, RecipientResult
from newsletter.providers.mime import MimeBuilder


class SmtpProvider(Provider):
    """Delivers through an SMTP relay configured by the NEWSLETTER_SMTP_* settings."""

    name = "smtp"

    def __init__(self, settings: Settings):
        self.settings = settings

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        builder = MimeBuilder(batch)
        envelope_from = parseaddr(batch.from_email)[1]
        results: list[RecipientResult] = []
        with self._connect() as smtp:
            for index, recipient in enumerate(batch.recipients):
                try:
                    smtp.sendmail(envelope_from, [recipient.email], builder.build(recipient))
                except smtplib.SMTPRecipientsRefused as err:
                    code, message = err.recipients[recipient.email]
                    results.append(_refused(recipient.delivery_id, code, message))
                except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as err:
                    results.append(_refused(recipient.delivery_id, err.smtp_code, err.smtp_error))
                except (smtplib.SMTPServerDisconnected, OSError) as err:
                    lost = f"connection lost: {err or type(err).__name__}"
                    results += [RecipientResult(r.delivery_id, False, error=lost, retry=True)
                                for r in batch.recipients[index:]]
                    break
                else:
                    results.append(RecipientResult(recipient.delivery_id, True, recipient.message_id))
        return results

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.smtp_ca_file)
        try:
            if s.smtp_tls == "ssl":
                smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
                if s.smtp_tls == "starttls":
                    smtp.starttls(context=context)
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
        except smtplib.SMTPAuthenticationError as err:
            raise ProviderAuthError(self.name, "the relay refused the user name or password", status=err.smtp_code,
                                body=_text(err.smtp_error)) from err
        except smtplib.SMTPNotSupportedError as err:
            raise ProviderError(self.name, f"the relay does not support what NEWSLETTER_SMTP_TLS asks: {err}") from err
        except (smtplib.SMTPException, OSError) as err:
            raise TransientProviderError(
                self.name, f"cannot connect to {s.smtp_host}:{s.smtp_port} ({err or type(err).__name__})"
            ) from err
        return smtp


def _refused(delivery_id: int, code: int, message: bytes | str) -> RecipientResult:
    return RecipientResult(delivery_id, False, error=f"{code} {_text(message)}", retry=400 <= code < 500)


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
