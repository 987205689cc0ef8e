"""A proposed item: what intake read from a feed, a page or a pasted newsletter, for an editor
to check before (or after) it is saved in the inbox."""

import datetime as dt
from dataclasses import asdict, dataclass, field, replace

from newsletter.intake.urls import canonical_url, without_tracking

HEADLINE_MAX = 300  # the items' columns
NAME_MAX = 200
ALT_MAX = 300


@dataclass(frozen=True)
class ProposedItem:
    """An inbox item as intake proposes it; ``url`` is "" when no link was found."""

    headline: str
    blurb: str = ""
    url: str = ""
    source: str | None = None
    image_url: str | None = None
    image_alt: str | None = None
    byline: str | None = None
    published_at: dt.datetime | None = None
    language: str = "en"
    tags: list[str] = field(default_factory=list)
    canonical: str | None = None  # rel=canonical when the page gave one, else derived from url

    @classmethod
    def from_item(cls, item) -> "ProposedItem":
        """A stored item (``newsletter.db.models.Item``) in the same shape, for printing."""
        return cls(headline=item.headline, blurb=item.blurb, url=item.url, source=item.source,
                   image_url=item.image_url, image_alt=item.image_alt, byline=item.byline,
                   published_at=item.published_at, language=item.language, tags=list(item.tags or []),
                   canonical=item.canonical_url)

    @property
    def canonical_url(self) -> str | None:
        """The dedupe key: the page's own canonical link or this link, without tracking."""
        link = self.canonical or self.url
        return canonical_url(link) if link else None

    def fitted(self) -> "ProposedItem":
        """The proposal with each field cut to what its column holds, its link without
        tracking parameters, and no image unless its link is http(s) (a data: image, say)."""
        image = self.image_url if (self.image_url or "").startswith(("https://", "http://")) else None
        return replace(self, url=without_tracking(self.url) if self.url else "",
                       headline=_cut(self.headline, HEADLINE_MAX) or "(no headline)", blurb=self.blurb[:3000],
                       image_url=image, image_alt=_cut(self.image_alt, ALT_MAX) if image else None,
                       source=_cut(self.source, NAME_MAX), byline=_cut(self.byline, NAME_MAX))

    def as_json(self, item_id: int | None = None) -> dict:
        """The machine-readable form the CLI's --json and the API print."""
        data = asdict(self)
        data.pop("canonical")
        return {"id": item_id, "headline": data["headline"], "blurb": data["blurb"], "url": data["url"],
                "source": data["source"], "author": data["byline"], "image": data["image_url"],
                "image_alt": data["image_alt"],
                "published": self.published_at.isoformat() if self.published_at else None,
                "language": data["language"], "tags": data["tags"], "canonical_url": self.canonical_url}


def _cut(text: str | None, length: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
