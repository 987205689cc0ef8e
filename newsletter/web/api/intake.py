"""``/api/items/from-url`` and ``/api/feeds``: intake, as `newsletter items add-url` and
`newsletter feeds ...` and the newsroom's pages do it."""

import datetime as dt

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from newsletter.content.models import Url
from newsletter.db import transaction
from newsletter.db.models import utcnow
from newsletter.editorial.drafts import Tags
from newsletter.intake.links import add_link, note_for, propose_link
from newsletter.intake.sources import (
    FeedDraft,
    add_feed,
    get_feed,
    list_feeds,
    poll_soon,
    remove_feed,
    update_feed,
)
from newsletter.web.api.routing import ApiRoute
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.security import Editor

router = APIRouter(tags=["intake"], route_class=ApiRoute)


class FromUrl(BaseModel):
    """A page to make an item of."""

    model_config = ConfigDict(extra="forbid")
    url: Url
    tags: Tags = []
    save: bool = Field(True, description="false: only propose the item (nothing is stored).")


class ProposedOut(BaseModel):
    """An item filled from a page; ``id`` is null when it was not saved."""

    id: int | None
    headline: str
    blurb: str
    url: str
    source: str | None
    author: str | None
    image: str | None
    image_alt: str | None
    published: dt.datetime | None
    language: str
    tags: list[str]
    canonical_url: str | None
    note: str | None = Field(description='Why to look twice: "already sent on 12 Nov in The Weekly Brief".')


class FeedOut(FeedDraft):
    """A feed source, with how its polling goes."""

    id: int
    items_added: int
    last_polled_at: dt.datetime | None
    next_due_at: dt.datetime
    failures: int = Field(description="Failed polls in a row (each doubles the wait, up to a day).")
    last_error: str | None


class FeedList(BaseModel):
    feeds: list[FeedOut]


@router.post("/items/from-url", status_code=201, responses={422: {"description": "Refused or failed to fetch."}})
def item_from_url(body: FromUrl, viewer: Editor, settings: SettingsDep) -> ProposedOut:
    """Fetch a page, fill an item from its OpenGraph, Twitter card or JSON-LD metadata (else its
    title and lead paragraph), and save it in the inbox (unless ``save`` is false)."""
    proposal = propose_link(body.url, settings=settings, tags=body.tags)
    with transaction(settings.database_url) as session:
        if not body.save:
            return ProposedOut(**proposal.as_json(), note=note_for(session=session, proposal=proposal, now=utcnow()).note)
        item, note = add_link(session=session, proposal=proposal, now=utcnow())
        return ProposedOut(**proposal.as_json(item.id), note=note)


@router.get("/feeds")
def feeds(viewer: Editor, settings: SettingsDep) -> FeedList:
    """Every feed source, with its last poll and last error."""
    with transaction(settings.database_url) as session:
        return FeedList(feeds=[_out(feed) for feed in list_feeds(session=session)])


@router.post("/feeds", status_code=201)
def create_feed(draft: FeedDraft, viewer: Editor, settings: SettingsDep) -> FeedOut:
    """Add a feed source; it is polled at the next round."""
    with transaction(settings.database_url) as session:
        return _out(add_feed(session=session, draft=draft))


@router.get("/feeds/{feed_id}")
def read_feed(feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> FeedOut:
    """One feed source."""
    with transaction(settings.database_url) as session:
        return _out(get_feed(session=session, feed_id=feed_id))


@router.put("/feeds/{feed_id}")
def replace_feed(feed_id: IdPath, draft: FeedDraft, viewer: Editor, settings: SettingsDep) -> FeedOut:
    """Replace a feed source's fields (its name, tags, keywords, interval...)."""
    with transaction(settings.database_url) as session:
        return _out(update_feed(session=session, feed_id=feed_id, draft=draft))


@router.post("/feeds/{feed_id}/poll", status_code=202)
def poll_feed(feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> FeedOut:
    """Make a feed due now: the workers' next round of polling (within a minute) takes it."""
    with transaction(settings.database_url) as session:
        return _out(poll_soon(session=session, feed_id=feed_id, now=utcnow()))


@router.delete("/feeds/{feed_id}", status_code=204)
def delete_feed(feed_id: IdPath, viewer: Editor, settings: SettingsDep) -> Response:
    """Stop polling a feed; the items it brought stay in the inbox."""
    with transaction(settings.database_url) as session:
        remove_feed(session=session, feed_id=feed_id)
    return Response(status_code=204)


def _out(feed) -> FeedOut:
    return FeedOut.model_validate({name: getattr(feed, name) for name in FeedOut.model_fields})
