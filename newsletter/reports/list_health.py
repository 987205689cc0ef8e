"""A list's health over time: people subscribed (confirmed), unsubscribed, bounced and
complained, week by week, for the newsroom's list page and its chart.

Subscriptions keep when each was confirmed and ended; suppressions when a bounce or a
complaint stopped an address (kept after the ledger's raw events are deleted), counted for the
list when the person is on it. Weeks start on Monday, in UTC.
"""

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.db.models import Subscription, Suppression, as_utc, utcnow
from newsletter.reports.charts import Series, bar_chart

WEEKS = 12
MEASURES = ("subscribed", "unsubscribed", "bounced", "complained")


class HealthWeek(BaseModel):
    """One week of a list."""

    week: dt.date = Field(description="The Monday the week starts on (UTC).")
    subscribed: int = Field(description="Subscriptions confirmed that week.")
    unsubscribed: int
    bounced: int = Field(description="Members whose address was suppressed for bouncing that week.")
    complained: int = Field(description="Members who marked a message as spam that week.")


def list_health(*, session: Session, list_id: int, weeks: int = WEEKS, today: dt.date | None = None) -> list[HealthWeek]:
    """The last ``weeks`` weeks of list ``list_id``, oldest first, the current week last."""
    today = today or utcnow().date()
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = dt.datetime.combine(first, dt.time(), dt.UTC)
    counts = {first + dt.timedelta(weeks=n): dict.fromkeys(MEASURES, 0) for n in range(weeks)}

    def add(measure: str, moments) -> None:
        for moment in moments:
            day = as_utc(moment).date()
            week = day - dt.timedelta(days=day.weekday())
            if week in counts:
                counts[week][measure] += 1

    member = Subscription.list_id == list_id
    add("subscribed", session.scalars(select(Subscription.confirmed_at).where(
        member, Subscription.confirmed_at >= since)))
    add("unsubscribed", session.scalars(select(Subscription.unsubscribed_at).where(
        member, Subscription.unsubscribed_at >= since)))
    for reason, measure in (("bounced", "bounced"), ("complained", "complained")):
        add(measure, session.scalars(
            select(Suppression.created_at).join(Subscription, Subscription.subscriber_id == Suppression.subscriber_id)
            .where(member, Suppression.reason == reason, Suppression.created_at >= since)))
    return [HealthWeek(week=week, **values) for week, values in counts.items()]


def health_chart(weeks: list[HealthWeek]) -> str:
    """The chart of :func:`list_health`'s weeks, with its table."""
    totals = {measure: sum(getattr(w, measure) for w in weeks) for measure in MEASURES}
    return bar_chart(
        chart_id="health-chart", title=f"The list's health, week by week, over {len(weeks)} weeks",
        description="In these weeks: " + ", ".join(f"{n:,} {measure}" for measure, n in totals.items()) + ".",
        labels=[f"{w.week:%d %b}" for w in weeks],
        series=[Series(measure, [getattr(w, measure) for w in weeks]) for measure in MEASURES],
        label_heading="Week of", tick_every=2)
