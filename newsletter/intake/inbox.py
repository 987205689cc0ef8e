"""Proposals into the inbox: saved as items, and recognised when their story is already there
or went out recently."""

import datetime as dt

from pydantic import ValidationError
from sqlalchemy import false, select, text, update
from sqlalchemy.orm import Session

from newsletter.content.safety import check_text
from newsletter.db.models import (
    Issue,
    IssueEntry,
    IssueSection,
    Item,
    MailingList,
    Send,
    SendList,
    as_utc,
)
from newsletter.editorial.drafts import ItemDraft
from newsletter.editorial.items import create_item
from newsletter.errors import ContentError
from newsletter.intake.proposal import ProposedItem

RECENT_SEND_WEEKS = 8
NEW_STORIES_LOCK = 7_460_017  # PostgreSQL advisory lock id: one transaction at a time adds feeds' stories
BYLINE_MAX = 200
SENT = ("sending", "paused", "sent")  # the issue reached (some) readers


def save_proposal(*, session: Session, proposal: ProposedItem) -> Item:
    """Store ``proposal`` as an inbox item (checked as an editor's item is); a ContentError
    says which field is unusable."""
    try:
        draft = ItemDraft.model_validate({
            "url": proposal.url, "headline": proposal.headline, "blurb": proposal.blurb,
            "source": proposal.source, "image_url": proposal.image_url, "image_alt": proposal.image_alt,
            "tags": proposal.tags, "language": proposal.language,
        })
    except ValidationError as err:
        problem = err.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ContentError(f"{where}: {problem['msg'].removeprefix('Value error, ')}", field=str(problem["loc"][0])) from None
    byline = _byline(proposal.byline)
    item = create_item(session=session, draft=draft)
    item.byline = byline
    item.published_at = proposal.published_at
    item.canonical_url = proposal.canonical_url  # written with the next flush: create_item gave it its id
    return item


def _byline(byline: str | None) -> str | None:
    if not byline or not byline.strip():
        return None
    try:
        byline = check_text(byline)
    except ValueError as err:
        raise ContentError(f"byline: {err}", field="byline") from None
    if len(byline) > BYLINE_MAX:
        raise ContentError(f"byline: at most {BYLINE_MAX} characters", field="byline")
    return byline


def hold_new_stories(*, session: Session) -> None:
    """Until this transaction ends, be the only one checking which stories are new and adding
    them: two pollers at once (beat and `newsletter feeds poll --all`) would otherwise both
    add a story that two of their feeds carry. Not a unique index: an editor may add a story
    again on purpose. PostgreSQL: a transaction-level advisory lock. SQLite: its one write lock,
    taken by a write that changes nothing (pysqlite begins the transaction only at the first
    write, so the check would otherwise read outside it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": NEW_STORIES_LOCK})
    else:
        session.execute(update(Item).where(false()).values(id=Item.id).execution_options(synchronize_session=False))


def known_stories(*, session: Session, canonical_urls: list[str]) -> set[str]:
    """Those of ``canonical_urls`` that some item already has: a feed adds each story once."""
    found: set[str] = set()
    wanted = list(dict.fromkeys(canonical_urls))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(session.scalars(select(Item.canonical_url).where(Item.canonical_url.in_(chunk))))
    return found


def seen_notes(*, session: Session, canonical_urls: list[str], now: dt.datetime) -> dict[str, str]:
    """For each of ``canonical_urls`` already in the inbox, in an issue, or sent within
    RECENT_SEND_WEEKS, a note saying so: "already sent on 12 Nov in The Weekly Brief", naming
    the lists the send went to by their titles (an issue's own title may be an article's)."""
    wanted = [url for url in dict.fromkeys(canonical_urls) if url]
    if not wanted:
        return {}
    items = session.execute(select(Item.id, Item.canonical_url, Item.headline)
                            .where(Item.canonical_url.in_(wanted))).all()
    by_item = {item_id: canonical for item_id, canonical, _ in items}
    uses = session.execute(
        select(IssueEntry.item_id, Issue.title, Issue.status, Send.started_at, Send.id, Send.list_names)
        .join(IssueSection, IssueSection.id == IssueEntry.section_id)
        .join(Issue, Issue.id == IssueSection.issue_id)
        .outerjoin(Send, (Send.issue_id == Issue.id) & Send.status.in_(SENT))
        .where(IssueEntry.item_id.in_(list(by_item)))
    ).all() if by_item else []
    cutoff = now - dt.timedelta(weeks=RECENT_SEND_WEEKS)
    lists = _list_titles(session, [use.id for use in uses if use.id is not None])
    notes: dict[str, str] = {}
    used = set()
    for item_id, title, status, started, send_id, list_names in sorted(uses, key=lambda u: u[3] is None):
        used.add(item_id)
        canonical = by_item[item_id]
        if started is not None and as_utc(started) >= cutoff:
            notes.setdefault(canonical, f"already sent on {as_utc(started):%-d %b} in {lists.get(send_id, list_names)}")
        elif started is None:
            notes.setdefault(canonical, f"already in “{title}” ({status})")
    for item_id, canonical, headline in items:
        if item_id not in used:
            notes.setdefault(canonical, f"already in the inbox: “{headline}”")
    return notes


def _list_titles(session: Session, send_ids: list[int]) -> dict[int, str]:
    """Each send's lists by their titles (else names), "The Weekly Brief and El Boletín"."""
    titles: dict[int, list[str]] = {}
    rows = session.execute(select(SendList.send_id, MailingList.title, MailingList.name)
                           .join(MailingList, MailingList.id == SendList.list_id)
                           .where(SendList.send_id.in_(send_ids)).order_by(MailingList.name)) if send_ids else []
    for send_id, title, name in rows:
        titles.setdefault(send_id, []).append(title or name)
    return {send_id: " and ".join(names) for send_id, names in titles.items()}
