"""SendGrid's Event Webhook: signed events, recorded in the ledger, that confirm batches and
suppress addresses.

Off unless NEWSLETTER_SENDGRID_WEBHOOK_PUBLIC_KEY is set. The signature (ECDSA over the
timestamp and the raw body) is checked, and a timestamp older than ten minutes is refused
as a possible replay. What can be checked from the headers is checked before the body is
read, and the body is capped at MAX_BODY_BYTES (web/app.py). Any 2xx tells SendGrid to stop
retrying; a 5xx makes it try again, so an event that cannot be applied is skipped (and
logged), not failed: retrying it would not make it any better.
"""

import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from sendgrid.helpers.eventwebhook import EventWebhook
from starlette.concurrency import run_in_threadpool

from newsletter.config import Settings
from newsletter.db import transaction
from newsletter.operations.metrics import count_webhook_events
from newsletter.providers.base import ProviderEvent
from newsletter.providers.sendgrid import event_time_is_fresh, parse_events
from newsletter.tracking import LedgerReport, apply_provider_events
from newsletter.web.deps import SettingsDep

router = APIRouter(tags=["webhooks"])

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_BODY_BYTES = 5 * 1024 * 1024  # SendGrid posts its events in batches: room to spare


@router.post("/webhooks/sendgrid")
async def sendgrid_events(request: Request, settings: SettingsDep) -> JSONResponse:
    """Apply a delivery of events (a JSON array) from SendGrid."""
    if not settings.sendgrid_webhook_public_key:
        raise HTTPException(404)
    signature, timestamp = request.headers.get(SIGNATURE), request.headers.get(TIMESTAMP)
    if not signature or not timestamp or not event_time_is_fresh(timestamp):
        raise HTTPException(403, "missing or stale signature")
    raw = await request.body()
    try:
        verified = EventWebhook(settings.sendgrid_webhook_public_key).verify_signature(
            raw.decode("utf-8"), signature, timestamp
        )
    except (ValueError, UnicodeDecodeError):
        verified = False
    if not verified:
        raise HTTPException(403, "bad signature")
    try:
        events = orjson.loads(raw)  # a third of json's time for a delivery of 1,000 events
    except orjson.JSONDecodeError:  # also for nesting deeper than any event is
        raise HTTPException(400, "the body is not JSON") from None
    if not isinstance(events, list):
        raise HTTPException(400, "the body is not a JSON array of events")
    parsed = parse_events(events)
    report = await run_in_threadpool(_apply, settings, parsed)
    count_webhook_events("sendgrid", parsed, recorded=report.recorded, repeated=report.repeated)
    return JSONResponse({"recorded": report.recorded, "repeated": report.repeated,
                         "confirmed_batches": report.confirmed_batches,
                         "suppressed_addresses": len(report.suppressed)})


def _apply(settings: Settings, events: list[ProviderEvent]) -> LedgerReport:
    with transaction(settings.database_url) as session:
        return apply_provider_events(session=session, settings=settings, events=events)
