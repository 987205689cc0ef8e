"""How items did in past issues, by source and by tag: the inbox shows it beside new items, so
an editor can see which sources and subjects readers click.

An item that went out in a tracked send counts once per send it was in; its human clicks are
the kept per-link counts (tracking/counts.py), so retention does not erase them.
"""

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from newsletter.db.models import Item, SendLink, SendLinkCount

NO_SOURCE = "(no source)"

class PastPerformance(BaseModel):
    """A source's or a tag's items in past tracked sends."""

    name: str
    items: int = Field(description="Items of it sent with tracked links (an item in two sends counts twice).")
    human_clicks: int
    clicks_per_item: float = Field(description="human_clicks / items.")


class InboxHistory(BaseModel):
    """Every source and tag of items sent in tracked sends, the most clicked per item first."""

    sources: list[PastPerformance]
    tags: list[PastPerformance]

    def of_source(self, source: str | None) -> PastPerformance | None:
        """How items from ``source`` did, if any was sent (for an inbox item's line)."""
        return next((row for row in self.sources if row.name == (source or NO_SOURCE)), None)


def inbox_history(*, session: Session) -> InboxHistory:
    """Human clicks per item in past tracked sends, by source and by tag."""
    rows = session.execute(
        select(Item.id, SendLink.send_id, Item.source, Item.tags, func.coalesce(SendLinkCount.human_clicks, 0))
        .join(SendLink, SendLink.item_id == Item.id)
        .outerjoin(SendLinkCount, and_(SendLinkCount.send_id == SendLink.send_id,
                                       SendLinkCount.link_id == SendLink.link_id))
    ).all()
    sent: dict[tuple[int, int], tuple[str | None, list[str] | None, int]] = {}
    for item_id, send_id, source, item_tags, clicks in rows:  # an item's links in every edition: one item
        earlier = sent.get((item_id, send_id), (source, item_tags, 0))
        sent[item_id, send_id] = (source, item_tags, earlier[2] + clicks)
    sources: dict[str, list[int]] = {}
    tags: dict[str, list[int]] = {}
    for source, item_tags, clicks in sent.values():
        for table, name in [(sources, source or NO_SOURCE), *[(tags, tag) for tag in set(item_tags or [])]]:
            counted = table.setdefault(name, [0, 0])
            counted[0] += 1
            counted[1] += clicks
    return InboxHistory(sources=_best(sources), tags=_best(tags))


def _best(table: dict[str, list[int]]) -> list[PastPerformance]:
    rows = [PastPerformance(name=name, items=items, human_clicks=clicks, clicks_per_item=clicks / items)
            for name, (items, clicks) in table.items()]
    rows.sort(key=lambda row: (-row.clicks_per_item, -row.items, row.name))
    return rows
