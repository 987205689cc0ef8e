"""The SendGrid provider: one v3 mail/send call per batch of up to 1000 personalizations.

The issue goes once per call; each personalization carries the recipient's values as
substitutions, its own List-Unsubscribe headers, and custom_args naming the send, batch and
delivery (they come back in every Event Webhook event, which is how a batch with an unknown
outcome is confirmed). Values the whole batch shares (the web-version link) are written into
the content instead. HTML and text need different escaping of the same value, so where escaping
changes a value (a name such as "Ana & co") the text part's marker is renamed (``__NLT_*``)
and gets its own substitution; where it changes none in the batch, both parts share one.

SendGrid accepts or refuses a call as a whole, and has no idempotency key: a timeout, a
dropped connection or a 5xx may hide an accepted call, so those are AmbiguousDeliveryError
(never retried blindly; see README, "Delivery guarantee").

Calls go over one httpx connection pool per worker process, kept alive between calls (the
sendgrid package's client opens a connection per call, a TLS handshake each time, and waits
for ever by default), with NEWSLETTER_SENDGRID_TIMEOUT on every read and write.
"""

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace

import httpx
import orjson

from newsletter.config import Settings
from newsletter.content.models import MAX_DB_INT
from newsletter.errors import (
    AmbiguousDeliveryError,
    ConfigurationError,
    ProviderAuthError,
    ProviderError,
    TransientProviderError,
)
from newsletter.providers.base import (
    EventKind,
    OutgoingBatch,
    Provider,
    ProviderEvent,
    RecipientResult,
)
from newsletter.rendering.personalise import MARKERS, PersonalisableTemplate

CUSTOM_ARGS = ("nl_send", "nl_batch", "nl_delivery")  # prefixed: they share the events' top level

log = logging.getLogger(__name__)




class SendGridProvider(Provider):
    """Delivers through SendGrid's v3 API at NEWSLETTER_SENDGRID_API_URL."""

    name = "sendgrid"

    def __init__(self, settings: Settings):
        if not settings.sendgrid_api_key:
            raise ConfigurationError("the sendgrid backend needs SENDGRID_API_KEY")
        self.url = f"{settings.sendgrid_api_url.rstrip('/')}/v3/mail/send"
        self.timeout = settings.sendgrid_timeout
        self.sandbox = settings.sendgrid_sandbox
        self.headers = {"Authorization": f"Bearer {settings.sendgrid_api_key}",
                        "Content-Type": "application/json", "User-Agent": "newsletter"}
        self.connections = settings.sendgrid_concurrency
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._client: httpx.Client | None = None

    def send_batch(self, batch: OutgoingBatch) -> list[RecipientResult]:
        """One call per version of the message in the batch (one, unless readers differ in what
        may be tracked: sending/variants.py). A call after the first that fails leaves its
        recipients pending, to be sent again alone (at least once, as SMTP's retries are)."""
        groups: dict[int, list] = {}
        for recipient in batch.recipients:
            groups.setdefault(recipient.variant, []).append(recipient)
        results: list[RecipientResult] = []
        for variant, recipients in groups.items():
            html, text = batch.documents(recipients[0])
            part = replace(batch, html=html, text=text, recipients=recipients, variants=())
            try:
                results += self._post(part)
            except ProviderError as err:
                if not results:
                    raise
                log.warning("batch %s: version %s of the message failed after another went: %s",
                            batch.batch_id, variant, err)
                again = type(err) is not ProviderError  # a plain ProviderError is a refusal (400, 413)
                results += [RecipientResult(r.delivery_id, False, error=str(err), retry=again) for r in recipients]
        return results

    def _post(self, batch: OutgoingBatch) -> list[RecipientResult]:
        body = orjson.dumps(mail_send_payload(batch, sandbox=self.sandbox))
        try:
            response = self._http().post(self.url, content=body, headers=self.headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as err:  # the request never got out
            raise TransientProviderError(self.name, f"cannot reach the API: {err!r}") from err
        except httpx.TimeoutException as err:
            raise AmbiguousDeliveryError(self.name, f"no answer within {self.timeout:g} s") from err
        except httpx.TransportError as err:
            raise AmbiguousDeliveryError(self.name, f"the connection dropped before the answer: {err!r}") from err
        if response.status_code >= 400:
            raise _http_error(response.status_code, response.headers, response.content)
        message_id = response.headers.get("X-Message-Id")
        return [RecipientResult(r.delivery_id, True, message_id) for r in batch.recipients]

    def _http(self) -> httpx.Client:
        """This process's connection pool (made again in a forked child: sockets do not cross a
        fork), a connection for each batch in flight."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._client = httpx.Client(
                    timeout=httpx.Timeout(self.timeout, connect=min(10.0, self.timeout)),
                    limits=httpx.Limits(max_connections=self.connections, max_keepalive_connections=self.connections),
                )
            return self._client


def mail_send_payload(batch: OutgoingBatch, *, sandbox: bool = False) -> dict:
    """The JSON body of POST /v3/mail/send for ``batch`` (text before HTML, as SendGrid requires)."""
    varying = _varying_fields(batch)
    html_keys = [(MARKERS[f], f) for f in sorted(batch.html.fields & varying)]
    html_value = batch.html.value
    html_values = [{key: html_value(f, r.fields) for key, f in html_keys} for r in batch.recipients]
    # A field whose HTML-escaped values equal the raw ones (web links, most addresses) uses
    # the HTML part's marker in the text part too: one substitution, not two.
    text_markers = {
        f: MARKERS[f] if f in batch.html.fields and all(
            values[MARKERS[f]] == r.fields[f] for values, r in zip(html_values, batch.recipients, strict=True)
        ) else f"__NLT_{f.upper()}__"
        for f in batch.text.fields & varying
    }
    text_keys = [(marker, f) for f, marker in sorted(text_markers.items()) if marker != MARKERS[f]]
    html = _with_markers(batch.html, {f: MARKERS[f] for f in varying}, batch)
    text = _with_markers(batch.text, text_markers, batch)
    mailto = f", <mailto:{batch.list_unsubscribe_mailto}?subject=unsubscribe>" if batch.list_unsubscribe_mailto else ""
    send_id, batch_id = str(batch.send_id), str(batch.batch_id)
    send_arg, batch_arg, delivery_arg = CUSTOM_ARGS
    personalizations = []
    for r, substitutions in zip(batch.recipients, html_values, strict=True):  # a thousand a call, so kept lean
        to = {"email": r.email, "name": " ".join(r.name.split())} if r.name else {"email": r.email}
        for key, f in text_keys:
            substitutions[key] = r.fields[f]
        personalization = {
            "to": [to],
            "headers": {"List-Unsubscribe": f"<{r.unsubscribe_url}>{mailto}",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        }
        if substitutions:
            personalization["substitutions"] = substitutions
        if batch.send_id is not None:
            personalization["custom_args"] = {send_arg: send_id, batch_arg: batch_id, delivery_arg: str(r.delivery_id)}
        personalizations.append(personalization)
    body = {
        "personalizations": personalizations,
        "from": {"email": batch.from_email, "name": batch.from_name},
        "subject": batch.subject,
        "content": [{"type": "text/plain", "value": text}, {"type": "text/html", "value": html}],
        "categories": ["newsletter", f"send-{batch.send_id}"] if batch.send_id else ["transactional"],
        "mail_settings": {"sandbox_mode": {"enable": sandbox}},
        # Our own one-click List-Unsubscribe is in every personalization; SendGrid's would be a second.
        "tracking_settings": {"subscription_tracking": {"enable": False}},
    }
    if batch.reply_to:
        body["reply_to"] = {"email": batch.reply_to}
    return body


def _varying_fields(batch: OutgoingBatch) -> set[str]:
    """Fields whose value differs between recipients (the rest are written into the content)."""
    used = batch.html.fields | batch.text.fields
    return {f for f in used if len({r.fields[f] for r in batch.recipients}) > 1}


def _with_markers(template: PersonalisableTemplate, markers: dict[str, str], batch: OutgoingBatch) -> str:
    """The document with ``markers`` in the slots of the fields that vary, shared values in the rest."""
    shared = batch.recipients[0].fields if batch.recipients else {}
    out = list(template.pieces)
    for index, name in template.slots:
        out[index] = markers[name] if name in markers else template.value(name, shared)
    return "".join(out)


def _http_error(status: int, headers: Mapping[str, str], body: bytes) -> ProviderError:
    message = _error_messages(body)
    if status == 429:
        reset = headers.get("X-RateLimit-Reset")
        wait = max(1.0, float(reset) - time.time()) if reset and reset.isdigit() else None
        return TransientProviderError("sendgrid", "rate limited", status=status, body=message, retry_after=wait)
    if status in (401, 403):
        return ProviderAuthError("sendgrid", "the API key or sender was refused", status=status, body=message)
    if status >= 500:
        return AmbiguousDeliveryError("sendgrid", "server error; the batch may or may not have been accepted",
                                      status=status, body=message)
    return ProviderError("sendgrid", "the request was refused", status=status, body=message)


def _error_messages(body: bytes | str) -> str:
    """SendGrid's own explanation: the messages of its JSON errors, or the raw body (413 is HTML)."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        errors = json.loads(raw)["errors"]
        return "; ".join(f"{e.get('field') + ': ' if e.get('field') else ''}{e['message']}" for e in errors)
    except (ValueError, KeyError, TypeError):
        return raw.strip()[:300]


_KINDS = {
    "processed": EventKind.QUEUED, "delivered": EventKind.DELIVERED, "deferred": EventKind.DEFERRED,
    "bounce": EventKind.BOUNCED, "dropped": EventKind.DROPPED, "spamreport": EventKind.COMPLAINED,
    "unsubscribe": EventKind.UNSUBSCRIBED, "group_unsubscribe": EventKind.UNSUBSCRIBED,
    "open": EventKind.OPENED, "click": EventKind.CLICKED,
}


def parse_events(events: Iterable[object]) -> list[ProviderEvent]:
    """Event Webhook events in our terms. Events of other kinds are skipped, and so, with a
    warning, are events that cannot be ours (not an object, no address, an id or a message
    id that we never sent): they cannot be applied, and SendGrid would only post them again."""
    parsed = []
    for number, event in enumerate(events, start=1):
        read = _read(event)
        if isinstance(read, str):
            log.warning("skipped the SendGrid event at position %d of a delivery: %s", number, read)
            continue
        kind = _KINDS.get(event["event"])
        if kind is None:
            continue
        get = event.get
        reason = get("reason") or get("response")
        parsed.append(ProviderEvent(
            kind, event["email"].lower(), *read,
            reason=reason[:1000] if isinstance(reason, str) else None,
            event_id=_text(get("sg_event_id"), 200),
            occurred_at=_moment(get("timestamp")),
            # "blocked" is SendGrid's temporary refusal; "bounce" its permanent one
            bounce=("soft" if get("type") == "blocked" else "hard") if kind is EventKind.BOUNCED else None,
            status=_text(get("status"), 20),
            url=_text(get("url"), 2000) if kind is EventKind.CLICKED else None,
            machine=get("sg_machine_open") is True,
            raw=event,
        ))
    return parsed


def _text(value: object, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _moment(value: object) -> dt.datetime | None:
    """A webhook timestamp (Unix seconds) as a UTC moment; None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _read(event: object) -> tuple[int | None, int | None, int | None, str | None] | str:
    """An event's (send, batch, delivery, message) ids, each read once; or what makes it
    impossible to apply."""
    if not isinstance(event, dict):
        return f"not an object but {type(event).__name__}"
    email = event.get("email")
    if not isinstance(event.get("event"), str) or not isinstance(email, str):
        return "its event or email is missing or not text"
    if len(email) > 320:
        return "its email is longer than an address can be"
    ids = []
    for arg in CUSTOM_ARGS:
        value = event.get(arg)
        number = None if value is None else _int(value)
        if number is None and arg in event:
            return f"{arg} is not one of our ids: {str(value)[:40]!r}"
        ids.append(number)
    message_id = event.get("sg_message_id")
    if message_id is not None and (not isinstance(message_id, str) or len(message_id := message_id.partition(".")[0]) > 200):
        return "its sg_message_id is not one SendGrid gave us"
    return (*ids, message_id)


def event_time_is_fresh(timestamp: str, *, window: float = 600, now: float | None = None) -> bool:
    """Whether a signed webhook's timestamp is recent enough to rule out a replay."""
    try:
        sent = float(timestamp)
    except ValueError:
        return False
    return abs((now or dt.datetime.now(dt.UTC).timestamp()) - sent) <= window


def _int(value: object) -> int | None:
    """The id a custom arg carries (we send them as decimal strings), or None."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None  # "²" is a digit to str.isdigit(), and no id of ours has more than 10 digits
    number = int(value)
    return number if 1 <= number <= MAX_DB_INT else None
