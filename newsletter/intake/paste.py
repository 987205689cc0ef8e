"""A pasted newsletter or index page (text, or HTML from a browser copy) split into proposed
items. The shapes read: a title line, blurb paragraphs and a "Read more" line (with or without
its URL); a blog index whose articles have a "By Author" line and end in "Continue reading
“Title”". An item whose link is nowhere to be found is proposed without one."""

import datetime as dt
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from newsletter.intake.proposal import ProposedItem
from newsletter.intake.text import cut_blurb, one_line, strip_html

_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")
_END = re.compile(r"^\W*(read more|read the full|continue reading|full story|more here|read on|keep reading)\b",
                  re.IGNORECASE)
_QUOTED = re.compile(r"[“\"«‘']\s*(.+?)\s*[”\"»’']")
_BYLINE = re.compile(r"^by\s+([^\d].{1,80})$", re.IGNORECASE)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_LINE = re.compile(rf"^((\d{{1,2}}\s+({_MONTHS})\s+\d{{4}})|(({_MONTHS})\s+\d{{1,2}},?\s+\d{{4}})|\d{{4}}-\d\d-\d\d)$",
                        re.IGNORECASE)
TITLE_MAX_CHARS = 160
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])")
_HTML = re.compile(r"<(p|a|div|br|h[1-6]|li|span|table)\b", re.IGNORECASE)


@dataclass
class _Draft:
    title: str = ""
    title_url: str = ""
    url: str = ""
    byline: str | None = None
    published: dt.datetime | None = None
    body: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.title or self.body)


def propose_from_paste(pasted: str, *, blurb_chars: int, language: str = "en",
                       tags: list[str] | None = None) -> list[ProposedItem]:
    """The items found in ``pasted`` text or HTML, in their order (pure)."""
    text = _html_to_text(pasted) if _HTML.search(pasted) else pasted
    found: list[_Draft] = []
    current = _Draft()
    paragraph_ended = False
    for line in (one_line(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if not line:
            paragraph_ended = True
            continue
        urls = _URL.findall(line)
        words = _SPACE_BEFORE_STOP.sub(r"\1", one_line(_URL.sub(" ", line))).strip(" :–—-→»>|()[]")
        if _END.match(words):
            if quoted := _QUOTED.search(words):  # "Continue reading “Title”" names its article
                current.title = quoted.group(1)
            current.url = urls[0] if urls else current.title_url
            found.append(current)
            current = _Draft()
        elif not words and urls and current.empty and found and not found[-1].url:
            found[-1].url = urls[0]  # "Read more" with its link on the next line
        elif not words and urls:  # a bare link line: the current item's, unless it has one
            current.title_url = current.title_url or urls[0]
        elif byline := _BYLINE.match(words):
            current.byline = byline.group(1).strip()
        elif _DATE_LINE.match(words):
            current.published = _date(words)
        elif not current.body and _title_like(words):  # a later one: the first was a heading
            current.title, current.title_url = words, urls[0] if urls else ""
        elif current.body and not paragraph_ended:
            current.body[-1] += " " + words  # the paragraph goes on
        else:
            current.body.append(words)
        paragraph_ended = False
    if current.title and current.body:  # the last item had no "Read more"
        current.url = current.title_url
        found.append(current)
    return [_proposal(d, blurb_chars, language, tags or []) for d in found if not d.empty]


def _title_like(line: str) -> bool:
    return len(line) <= TITLE_MAX_CHARS and not line.endswith((".", ",", ";", ":", "…"))


def _proposal(draft: _Draft, blurb_chars: int, language: str, tags: list[str]) -> ProposedItem:
    blurb = "\n\n".join(draft.body)
    headline = draft.title or cut_blurb(blurb, 80)
    return ProposedItem(headline=headline, blurb=cut_blurb(blurb, blurb_chars), url=draft.url,
                        byline=draft.byline, published_at=draft.published, language=language,
                        tags=list(tags)).fitted()


def _html_to_text(markup: str) -> str:
    """The text of pasted HTML, one block a line, each link's address written after its words."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return strip_html(markup)
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if href.startswith(("http://", "https://")):
            link.tail = f" {href} " + (link.tail or "")
    return strip_html(lxml.html.tostring(root, encoding="unicode"))


def _date(line: str) -> dt.datetime | None:
    for pattern in ("%d %B %Y", "%B %d %Y", "%B %d, %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(line, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None
