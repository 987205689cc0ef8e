"""What the pages and the API both show of a send, in one neutral place: the view models
(``SendOut``, ``ProgressOut``), the functions that make them, and how pages say times,
numbers and durations. The pages (``web/admin``) and the API (``web/api``) import from here,
never from each other."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from newsletter.db.models import Issue, Send, as_utc, utcnow
from newsletter.sending import SendProgress, audience
from newsletter.sending.reads import send_overview

FINISHED = ("sent", "cancelled")  # nothing changes by itself any more
RECENT_LIMIT = 20
ZONE_REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
                "Indian/", "Pacific/")
ZONES = ["UTC"] + sorted(z for z in available_timezones() if z.startswith(ZONE_REGIONS))  # the zone pickers' choices


class DeliveryCounts(BaseModel):
    """A started send's recipients by outcome."""

    pending: int = 0
    accepted: int = 0
    failed: int = 0
    suppressed: int = 0
    cancelled: int = 0


class SendOut(BaseModel):
    """A send: what goes to whom, and when."""

    id: int
    issue_id: int
    issue_title: str
    subject: str
    status: str = Field(description="scheduled, held, sending, paused, sent or cancelled")
    status_reason: str | None = Field(description="Why it is held or paused.")
    lists: list[str]
    recipient_count: int = Field(description="Recipients frozen so far: 0 before it starts, all once frozen_at is set.")
    scheduled_at: dt.datetime | None = Field(description="In UTC; null: started at once.")
    timezone: str | None = Field(description="The zone the admin scheduled it in.")
    scheduled_local: str | None = Field(description='The scheduled wall-clock time in that zone, "2026-12-04 08:00".')
    started_at: dt.datetime | None
    frozen_at: dt.datetime | None = Field(description="When its last recipients were frozen into batches.")
    finished_at: dt.datetime | None
    counts: DeliveryCounts | None = Field(None, description="By outcome; null for a send not started.")


class ProgressOut(BaseModel):
    """How far a send has got, counted from its deliveries."""

    send_id: int
    status: str
    status_reason: str | None
    total: int
    pending: int
    accepted: int
    failed: int
    suppressed: int
    cancelled: int
    done: int = Field(description="Recipients with a final outcome.")
    ambiguous_batches: int = Field(description="Batches the provider may have, awaiting its confirmation.")
    retrying: str | None = Field(description="The error a batch waiting for a retry last met.")
    elapsed: float | None = Field(description="Seconds since it started (to its end once finished).")
    rate: float | None = Field(description="Recipients settled per second so far.")
    eta: float | None = Field(description="Seconds until the pending recipients are settled, at that rate.")
    estimated_finish: dt.datetime | None = Field(description="Now plus eta, in UTC.")
    finished: bool = Field(description="Sent or cancelled: nothing changes by itself any more.")
    freezing: bool = Field(description="Recipients are still being frozen into batches: total grows until then.")


def overview(session: Session, *, limit: int = RECENT_LIMIT) -> tuple[list[SendOut], list[SendOut]]:
    """(sends not yet started, soonest first; the ``limit`` most recent others, with their counts)."""
    upcoming, recent, counts = send_overview(session=session, limit=limit)
    lists = audience(session=session, send_ids=[send.id for send, _ in upcoming + recent])
    return ([send_out(send, title, lists=lists[send.id]) for send, title in upcoming],
            [send_out(send, title, DeliveryCounts(**counts[send.id]), lists=lists[send.id]) for send, title in recent])


def send_view(session: Session, send: Send) -> SendOut:
    """``send`` with its issue's title and its lists."""
    return send_out(send, session.get_one(Issue, send.issue_id).title,
                    lists=audience(session=session, send_ids=[send.id])[send.id])


def send_out(send: Send, issue_title: str, counts: DeliveryCounts | None = None, *, lists: list[str]) -> SendOut:
    scheduled_at = as_utc(send.scheduled_at) if send.scheduled_at else None
    return SendOut(
        id=send.id, issue_id=send.issue_id, issue_title=issue_title, subject=send.subject, status=send.status,
        status_reason=send.status_reason, lists=lists, recipient_count=send.recipient_count,
        scheduled_at=scheduled_at, timezone=send.timezone,
        scheduled_local=wall_clock(scheduled_at, send.timezone) if scheduled_at else None,
        started_at=as_utc(send.started_at) if send.started_at else None,
        frozen_at=as_utc(send.frozen_at) if send.frozen_at else None,
        finished_at=as_utc(send.finished_at) if send.finished_at else None,
        counts=counts,
    )


def progress_out(progress: SendProgress) -> ProgressOut:
    eta = progress.eta
    return ProgressOut(
        send_id=progress.send_id, status=progress.status, status_reason=progress.status_reason,
        total=progress.total, pending=progress.pending, accepted=progress.accepted, failed=progress.failed,
        suppressed=progress.suppressed, cancelled=progress.cancelled, done=progress.done,
        ambiguous_batches=progress.ambiguous_batches, retrying=progress.retrying, elapsed=progress.elapsed,
        rate=progress.rate, eta=eta,
        estimated_finish=utcnow() + dt.timedelta(seconds=eta) if eta is not None else None,
        finished=progress.status in FINISHED, freezing=progress.freezing,
    )


def zone(name: str | None) -> ZoneInfo | dt.timezone:
    """The zone called ``name``; UTC for none (or one no longer known)."""
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def wall_clock(moment: dt.datetime, timezone: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` as wall-clock time in ``timezone``."""
    return as_utc(moment).astimezone(zone(timezone)).strftime(fmt)


def scheduled_for(moment: dt.datetime, timezone: str | None) -> str:
    """When a send is scheduled, as an admin says it: in its zone, and in UTC too if that differs."""
    timezone = timezone or "UTC"
    when = f"{wall_clock(moment, timezone)} {timezone}"
    return when if timezone == "UTC" else f"{when} ({wall_clock(moment, 'UTC')} UTC)"


# How the pages say numbers, durations and times (send.js says them the same way).

def number(n: int | None) -> str:
    return "0" if n is None else f"{n:,}"


def duration(seconds: float | None) -> str:
    """Roughly how long."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


def rate(per_second: float | None) -> str:
    return "—" if per_second is None else f"{per_second:,.1f} recipients a second"


def finish(eta: float | None, at: dt.datetime | None) -> str:
    return "—" if eta is None or at is None else f"{duration(eta)} (around {at:%H:%M} UTC)"


def percent(done: int, total: int) -> int:
    return done * 100 // total if total else 0


def moment(at: dt.datetime | None, timezone: str | None = None) -> dict[str, Any] | None:
    """A time for a ``<time>`` element: ISO (UTC), as UTC, and in ``timezone`` when there is one."""
    if at is None:
        return None
    return {"iso": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "utc": f"{wall_clock(at, 'UTC')} UTC",
            "local": f"{wall_clock(at, timezone)} {timezone}" if timezone and timezone != "UTC" else None}


FORMATS = {"number": number, "duration": duration, "rate": rate, "finish": finish, "percent": percent,
           "moment": moment}
