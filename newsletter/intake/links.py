"""A link a person gave: fetched safely, read for its metadata, proposed, then saved.

The one outside fetch the web app makes itself (the newsroom's link form, POST
/api/items/from-url): the editor is waiting for the filled form, so it is not queued for a
worker; the fetcher's limits (public addresses only, 5 redirects, a deadline, a size cap) bound
what a request can cost. Feeds are polled by the workers, never by the web app."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.db.models import Item
from newsletter.intake.fetch import HTML_TYPES, fetch
from newsletter.intake.inbox import save_proposal, seen_notes
from newsletter.intake.pages import propose_from_page
from newsletter.intake.proposal import ProposedItem


@dataclass(frozen=True)
class LinkProposal:
    """A page's proposed item, and a note when its story is already known ("already sent on
    12 Nov in The Weekly Brief")."""

    proposal: ProposedItem
    note: str | None


def propose_link(url: str, *, settings: Settings, tags: list[str] | None = None) -> ProposedItem:
    """Fetch the page at ``url`` (see :mod:`newsletter.intake.fetch`) and propose its item.
    Call it outside a transaction: it waits on the network."""
    fetched = fetch(url.strip(), settings=settings, accept=HTML_TYPES)
    return propose_from_page(fetched.text, url=fetched.url, blurb_chars=settings.blurb_chars, tags=tags)


def note_for(*, session: Session, proposal: ProposedItem, now: dt.datetime) -> LinkProposal:
    """``proposal`` with the note about its story, if it is already known."""
    key = proposal.canonical_url
    notes = seen_notes(session=session, canonical_urls=[key], now=now) if key else {}
    return LinkProposal(proposal, notes.get(key))


def add_link(*, session: Session, proposal: ProposedItem, now: dt.datetime) -> tuple[Item, str | None]:
    """Save a page's proposal as an inbox item; returns it and the note about its story as it
    was before this save (the editor is told; the item is saved all the same)."""
    note = note_for(session=session, proposal=proposal, now=now).note
    return save_proposal(session=session, proposal=proposal), note
