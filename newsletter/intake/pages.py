"""A web page's metadata as a proposed item: OpenGraph, Twitter card and JSON-LD
(schema.org Article and its kinds) first, then the ``<title>`` and the lead paragraph that a
real article extractor (trafilatura) finds."""

import json
from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newsletter.intake.proposal import ProposedItem
from newsletter.intake.text import cut_blurb, iso_moment, one_line

ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "ScholarlyArticle", "Report", "PressRelease", "WebPage"}
# trafilatura guessed "2019-01-01" from "since 2019" in a body: only dates the page states.
LEAD_MIN_CHARS = 60
DATE_PARAMETERS = {"extensive_search": False, "original_date": True}


def propose_from_page(html: str, *, url: str, blurb_chars: int, language: str = "en",
                      tags: list[str] | None = None) -> ProposedItem:
    """The item a page at ``url`` proposes (pure: the HTML is already fetched)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        root = None
    meta = _meta(root) if root is not None else {}
    article = _json_ld_article(root) if root is not None else {}
    extracted = None
    if not (article.get("description") or meta.get("og:description") or meta.get("twitter:description")):
        import trafilatura  # here: importing it costs every `newsletter` command a third of a second

        extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                                date_extraction_params=DATE_PARAMETERS)
    title = root.findtext(".//title") if root is not None else None
    headline = _first(article.get("headline"), meta.get("og:title"), meta.get("twitter:title"),
                      extracted and extracted.title, title)
    lead = _lead(extracted.text if extracted else None, headline)
    blurb = _first(article.get("description"), meta.get("og:description"), meta.get("twitter:description"),
                   extracted and extracted.description, lead)
    image = _first(_json_ld_image(article.get("image")), meta.get("og:image"), meta.get("twitter:image"))
    canonical = _canonical(root, url) or _first(meta.get("og:url"))
    return ProposedItem(
        headline=one_line(headline or url),
        blurb=cut_blurb(blurb or "", blurb_chars),
        url=url,
        source=_first(_name(article.get("publisher")), meta.get("og:site_name"), extracted and extracted.sitename),
        image_url=urljoin(url, image) if image else None,
        image_alt=_first(meta.get("og:image:alt"), meta.get("twitter:image:alt")),
        byline=_first(_name(article.get("author")), meta.get("author"), meta.get("article:author"),
                      extracted and extracted.author),
        published_at=iso_moment(_first(article.get("datePublished"), meta.get("article:published_time"),
                                  extracted and extracted.date)),
        language=_language(_first(article.get("inLanguage") if isinstance(article.get("inLanguage"), str) else None,
                                  root.get("lang") if root is not None else None), language),
        tags=list(tags or []),
        canonical=urljoin(url, canonical) if canonical else None,
    ).fitted()


def _lead(text: str | None, headline: str | None) -> str:
    """The article's first paragraph: not its heading, nor a line too short to be one."""
    for line in (text or "").split("\n"):
        line = line.strip()
        if line and line != headline and (len(line) >= LEAD_MIN_CHARS or line.endswith((".", "!", "?"))):
            return line
    return ""


def _meta(root) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        value = (element.get("content") or "").strip()
        if key and value:
            found.setdefault(key, value)
    return found


def _json_ld_article(root) -> dict:
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for thing in _things(data):
            kinds = thing.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & ARTICLE_TYPES and (thing.get("headline") or thing.get("name")):
                return {**thing, "headline": thing.get("headline") or thing.get("name")}
    return {}


def _things(data) -> Iterator[dict]:
    if isinstance(data, list):
        for entry in data:
            yield from _things(entry)
    elif isinstance(data, dict):
        yield data
        yield from _things(data.get("@graph", []))


def _json_ld_image(image) -> str | None:
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url") or image.get("contentUrl")
    return image if isinstance(image, str) else None


def _name(thing) -> str | None:
    if isinstance(thing, list):
        names = [_name(t) for t in thing]
        return ", ".join(n for n in names if n) or None
    if isinstance(thing, dict):
        thing = thing.get("name")
    return thing if isinstance(thing, str) else None


def _canonical(root, url: str) -> str | None:
    if root is None:
        return None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return link.get("href").strip()
    return None


def _first(*values) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split()) if "\n" not in value.strip() else value.strip()
    return None


def _language(value: str | None, default: str) -> str:
    code = (value or "").strip().split("_")[0]
    return code.lower() if 2 <= len(code.split("-")[0]) <= 3 and code.replace("-", "").isalnum() else default
