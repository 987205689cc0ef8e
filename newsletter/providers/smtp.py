"""The SMTP provider: one connection per batch, one message per recipient.

A recipient the server refuses (5xx) fails alone; a 4xx leaves that recipient for a retry.
If the connection is lost mid-batch, every recipient not yet accepted is left for a retry.
The message being transmitted when the connection dropped is the one case SMTP cannot
settle: the server may have taken it without our hearing the reply. It is sent again
(at least once, with the same Message-ID), never silently lost.

With NEWSLETTER_BOUNCE_ADDRESS set, each message's envelope sender (MAIL FROM, which the
receiving server writes as Return-Path and sends bounces to) names its delivery: VERP,
``bounces+<token>@domain``, the token the delivery id in base 36 and a signature, so that a
bounce says whose message it was even when it quotes nothing of it (newsletter.tracking reads
it back). The From header is unchanged.
"""

import base64
import hashlib
import hmac
import smtplib
import ssl
from email.utils import parseaddr

from newsletter.config import Settings
from newsletter.errors import ProviderAuthError, ProviderError, TransientProviderError
from newsletter.providers.base import OutgoingBatch, Provider, RecipientResult
from newsletter.providers.mime import MimeBuilder
from newsletter.tokens import derived_key


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
                sender = bounce_address(self.settings, recipient.delivery_id) or envelope_from
                try:
                    smtp.sendmail(sender, [recipient.email], builder.build(recipient))
                except smtplib.SMTPRecipientsRefused as err:
                    code, message = err.recipients[recipient.email]
                    results.append(_refused(recipient.delivery_id, code, message, address_refused=True))
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


def _refused(delivery_id: int, code: int, message: bytes | str, *, address_refused: bool = False) -> RecipientResult:
    return RecipientResult(delivery_id, False, error=f"{code} {_text(message)}", retry=400 <= code < 500,
                           smtp_code=code if address_refused else None)


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def bounce_address(settings: Settings, delivery_id: int) -> str | None:
    """The envelope sender of ``delivery_id``'s message: NEWSLETTER_BOUNCE_ADDRESS with the
    delivery's token after a ``+`` (a test send or a confirmation, delivery 0, gets the plain
    address); None when the setting is unset (the From address is the envelope sender)."""
    if not settings.bounce_address:
        return None
    if delivery_id <= 0:
        return settings.bounce_address
    local, _, domain = settings.bounce_address.rpartition("@")
    return f"{local}+{_verp_token(settings.secret_key, delivery_id)}@{domain}"


def delivery_from_bounce_address(settings: Settings, address: str) -> int | None:
    """The delivery a tagged bounce address names, or None: not ours, untagged, or a token
    whose signature does not match (tampered with, or made with another key).

    Case does not matter: some servers lower-case the addresses they bounce to.
    """
    if not settings.bounce_address:
        return None
    local, _, domain = (parseaddr(address)[1] or address).strip().lower().rpartition("@")
    base_local, _, base_domain = settings.bounce_address.lower().rpartition("@")
    tagged, plus, token = local.partition("+")
    number = token.partition("-")[0]
    if domain != base_domain or tagged != base_local or not plus or not 0 < len(number) <= 12:
        return None
    if not (number.isascii() and number.isalnum()):
        return None
    delivery_id = int(number, 36)
    expected = _verp_token(settings.secret_key, delivery_id)
    return delivery_id if delivery_id > 0 and hmac.compare_digest(token, expected) else None


def _verp_token(secret_key: str, delivery_id: int) -> str:
    """``<delivery id in base 36>-<10 characters of HMAC>``: lower-case letters and digits
    only (valid in any local part, unchanged by lower-casing), 50 bits of signature."""
    mac = hmac.new(derived_key(secret_key, b"newsletter.verp"), b"delivery.%d" % delivery_id, hashlib.sha256).digest()
    return f"{_base36(delivery_id)}-{base64.b32encode(mac[:10]).decode('ascii').lower()[:10]}"


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits
