"""Feed entries as proposed items: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed
(which feedparser does not read) as the JSON it is."""

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser

from newsletter.errors import FetchError
from newsletter.intake.proposal import ProposedItem
from newsletter.intake.text import cut_blurb, iso_moment, one_line, strip_html

_FIRST_IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["'][^>]*>""", re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
KEY_MAX = 2000  # the items' canonical_url column


@dataclass(frozen=True)
class FeedDefaults:
    """What a feed source gives each of its entries: its name, language and tags, and the
    keywords an entry must mention (none: every entry)."""

    name: str | None = None
    language: str = "en"
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def parse_feed(body: bytes, *, url: str, content_type: str, defaults: FeedDefaults,
               blurb_chars: int) -> list[ProposedItem]:
    """The entries of a fetched feed as proposals, in the feed's order, keyword-filtered. An
    entry without a link is proposed without one (the inbox flags it), keyed by the feed and
    the entry's id so a re-poll knows it. Something that is not a feed at all is a FetchError;
    a feed with a fault that the loose parser reads around still gives what it read."""
    if "json" in content_type or body.lstrip()[:1] == b"{":
        proposals = _json_feed(body, url, defaults, blurb_chars)
    else:
        parsed = feedparser.parse(body, response_headers={"content-location": url, "content-type": content_type})
        if not parsed.get("version"):
            problem = parsed.get("bozo_exception")
            raise FetchError(f"{url} is not an RSS, Atom or JSON feed" + (f" ({problem})" if problem else ""),
                             field="url")
        source = defaults.name or one_line(parsed.feed.get("title", "")) or None
        proposals = [_entry(e, url, source, defaults, blurb_chars) for e in parsed.entries]
    return [p for p in proposals if p is not None and _wanted(p, defaults.keywords)]


def _entry(entry, feed_url: str, source: str | None, defaults: FeedDefaults, blurb_chars: int) -> ProposedItem | None:
    link = entry.get("link") or ""
    link = link if link.startswith(("http://", "https://")) else ""
    title = one_line(strip_html(entry.get("title", "")))
    content = entry.content[0].value if entry.get("content") else ""
    summary = entry.get("summary") or content
    if not title and not summary:
        return None
    image, alt = _image(entry, content or summary)
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return ProposedItem(
        headline=title or cut_blurb(strip_html(summary), 80),
        blurb=cut_blurb(strip_html(summary), blurb_chars),
        url=link, canonical=None if link else _entry_key(feed_url, entry.get("id") or title or summary),
        source=source, image_url=image, image_alt=alt,
        byline=one_line(entry.get("author", "")) or None,
        published_at=dt.datetime.fromtimestamp(calendar.timegm(published), dt.UTC) if published else None,
        language=defaults.language, tags=list(defaults.tags),
    ).fitted()


def _image(entry, html: str) -> tuple[str | None, str | None]:
    for media in (*entry.get("media_content", []), *entry.get("media_thumbnail", [])):
        if media.get("url") and (media.get("medium", "image") == "image" or "image" in media.get("type", "")):
            return media["url"], None
    for enclosure in entry.get("enclosures", []):
        if enclosure.get("type", "").startswith("image/") and enclosure.get("href"):
            return enclosure["href"], None
    if match := _FIRST_IMAGE.search(html or ""):
        alt = _ALT.search(match.group(0))
        return match.group(1), (one_line(alt.group(1)) or None) if alt else None
    return None, None


def _json_feed(body: bytes, url: str, defaults: FeedDefaults, blurb_chars: int) -> list[ProposedItem | None]:
    try:
        feed = json.loads(body)
    except ValueError as err:
        raise FetchError(f"{url} is not a JSON feed: {err}", field="url") from None
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FetchError(f"{url} is JSON but not a JSON Feed (no jsonfeed.org version)", field="url")
    source = defaults.name or one_line(str(feed.get("title", ""))) or None
    return [_json_item(item, url, source, defaults, blurb_chars) for item in feed.get("items", [])
            if isinstance(item, dict)]


def _json_item(item: dict, feed_url: str, source: str | None, defaults: FeedDefaults,
               blurb_chars: int) -> ProposedItem | None:
    text = item.get("summary") or item.get("content_text") or strip_html(str(item.get("content_html") or ""))
    title = one_line(str(item.get("title") or ""))
    if not title and not text:
        return None
    link = urljoin(feed_url, str(item.get("url") or item.get("external_url") or ""))
    link = link if link.startswith(("http://", "https://")) and link != feed_url else ""
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    image = item.get("image") or item.get("banner_image")
    return ProposedItem(
        headline=title or cut_blurb(str(text), 80), blurb=cut_blurb(str(text), blurb_chars),
        url=link, canonical=None if link else _entry_key(feed_url, str(item.get("id") or title or text)),
        source=source, image_url=image if isinstance(image, str) else None,
        byline=", ".join(str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")) or None,
        published_at=iso_moment(item.get("date_published")),
        language=str(item.get("language") or defaults.language), tags=list(defaults.tags),
    ).fitted()


def _entry_key(feed_url: str, entry_id: str) -> str:
    """The story key of an entry without a link: its feed and its id (else its title), not a
    web address, so it never matches a linked story's."""
    return f"feed-entry:{feed_url}#{entry_id}"[:KEY_MAX]


def _wanted(proposal: ProposedItem, keywords: tuple[str, ...]) -> bool:
    if not keywords:
        return True
    haystack = f"{proposal.headline} {proposal.blurb}".lower()
    return any(keyword.lower() in haystack for keyword in keywords)
