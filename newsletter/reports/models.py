"""The reports' view models, shared by the newsroom pages, the API and `newsletter ... --json`:
one set of names everywhere."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Level = Literal["ok", "warning", "over"]


class DomainRow(BaseModel):
    """A recipient domain's share of a send."""

    domain: str = Field(description='The part after the @, lower case; "other" for every domain not listed.')
    recipients: int
    delivered: int = Field(description="Deliveries the receiving server accepted.")
    bounced: int = Field(description="Deliveries that bounced, hard or soft.")


class ItemClicks(BaseModel):
    """An item of the issue and what readers did with its link."""

    rank: int = Field(description="1 for the item with the most human clicks (ties: the issue's order).")
    item_id: int | None
    headline: str
    url: str = Field(description="The item's link; empty for an item without one.")
    human_clicks: int
    human_clickers: int = Field(description="Distinct readers who clicked it (machines filtered).")
    machine_clicks: int = Field(description="Clicks marked as machines' (link scanners), not in human_clicks.")


class LinkClicks(BaseModel):
    """A tracked link that is no item's (in an article's body, the call-to-action button), and
    what readers did with it."""

    url: str
    human_clicks: int
    human_clickers: int = Field(description="Distinct readers who clicked it (machines filtered).")
    machine_clicks: int = Field(description="Clicks marked as machines' (link scanners), not in human_clicks.")


class ClickReport(BaseModel):
    """Clicks on the send's tracked links, people's apart from machines'."""

    tracked: bool = Field(description="The send's links went through /c/ (a list of it tracks clicks).")
    human_clickers: int = Field(description="Distinct readers with at least one human click.")
    click_rate: float | None = Field(description="human_clickers / the report's base (delivered, else accepted).")
    human_clicks: int
    machine_clicks_filtered: int = Field(
        description="Clicks marked as machines' (HEAD, scanner network, right after delivery, bursts): not counted.")
    by_hour: list[int] = Field(description="Human clicks in each of the first 72 hours after the send started.")
    items: list[ItemClicks] = Field(description="Every item of the issue, ranked by human clicks.")
    other_links: list[LinkClicks] = Field(
        default_factory=list, description="Tracked links of no item (a single article's, the call-to-action button's), in the send's order.")


class OpenReport(BaseModel):
    """Opens, from a 1x1 image: an estimate (mail apps that block images never count; Apple
    Mail Privacy Protection and image proxies fetch it unopened, counted apart as machines')."""

    tracked: bool = Field(description="A list of the send tracks opens.")
    estimate: bool = Field(True, description="Always true: open counts are an estimate.")
    human_openers: int = Field(description="Distinct readers with at least one open not marked as a machine's.")
    open_rate: float | None = Field(description="human_openers / the report's base.")
    machine_opens_filtered: int = Field(description="Opens by Apple's or an image proxy's fetch, not counted.")


class SendReport(BaseModel):
    """Every delivery's fate in one send. ``recipients`` and ``accepted`` come from the send's
    own counters; the rest from the event ledger, each a count of distinct deliveries of the
    send with at least one event of that kind (events tied to no delivery are not counted)."""

    send_id: int
    recipients: int = Field(description="The send's recipients (all of them once it is frozen).")
    accepted: int = Field(description="Recipients the provider took.")
    delivered: int
    deferred: int = Field(description="Delayed by the receiving server at least once (the provider keeps trying).")
    bounced_hard: int = Field(description="Refused for good (the address is suppressed).")
    bounced_soft: int = Field(description="Refused for now (a full mailbox, a block).")
    dropped: int = Field(description="Not sent by the provider (a suppression of its own).")
    complaints: int = Field(description="Marked as spam.")
    unsubscribes: int = Field(description="Unsubscribed through the provider.")
    complaint_rate: float | None = Field(
        description="complaints / delivered, or / accepted while the provider reports no delivery; "
                    "null when that is 0.")
    complaint_base: Literal["delivered", "accepted"] = Field(description="What complaint_rate is a share of.")
    complaint_level: Level = Field(
        description="ok under complaint_warning, warning from it, over from complaint_limit.")
    complaint_warning: float = Field(description="The rate to keep under: 0.1%.")
    complaint_limit: float = Field(description="Gmail's and Yahoo's limit for bulk senders: 0.3%.")
    domains: list[DomainRow] = Field(description="The domains with the most recipients (10 at most), most first.")
    other_domains: DomainRow | None = Field(
        description='Every other domain together (domain "other"); null when there is none.')
    clicks: ClickReport
    opens: OpenReport


class SuppressionOut(BaseModel):
    """A suppressed address (or one that was), why, and whether an admin can lift it."""

    email: str
    reason: Literal["bounced", "complained", "unsubscribed"]
    detail: str | None = Field(description="The provider's words, e.g. 'hard bounce (sendgrid): 5.1.1, ...'.")
    event_kind: str | None = Field(description="The kind of ledger event that caused it, where it is known.")
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lifted_by: str | None = Field(description="Who lifted it: an admin's address, or cli:<user>.")
    can_lift: bool = Field(description="A bounce not lifted yet: an admin may let the address get mail again.")
    why_not: str | None = Field(description="Why it cannot be lifted, when it is a complaint or an unsubscribe.")


class SuppressionList(BaseModel):
    """Suppressions, newest first."""

    include_lifted: bool
    limit: int
    more: bool = Field(description="There are more than ``limit``: only the newest are listed.")
    suppressions: list[SuppressionOut]


class LiftOut(BaseModel):
    """A bounce lifted: the address gets mail again."""

    email: str
    lifted_by: str
