"""Text from markup: HTML stripped to paragraphs, and blurbs cut at a sentence."""

import datetime as dt
import html
import re

import lxml.html
from lxml import etree

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article")


def strip_html(markup: str) -> str:
    """The text of an HTML fragment: entities decoded, one paragraph per block, spaces tidied."""
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    for element in root.iter(*_BLOCKS):
        element.tail = "\n\n" + (element.tail or "")
    return _tidy(root.text_content())


def one_line(text: str) -> str:
    """``text`` on one line, spaces collapsed (a headline, a name)."""
    return " ".join(html.unescape(text).split())


def cut_blurb(text: str, limit: int) -> str:
    """``text`` cut at the sentence end nearest ``limit`` characters (keeping at least 40 % of
    it, going at most 10 % past it); else, when the first sentence is one long one, after it if
    it ends within a quarter more; else at a word, with an ellipsis. Shorter text comes back whole."""
    text = _tidy(text)
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text + " ")]
    near = [end for end in ends if limit * 0.4 <= end <= limit * 1.1]
    if near:
        return text[: min(near, key=lambda end: abs(end - limit))].strip()
    beyond = [end for end in ends if end > limit]
    if beyond and beyond[0] <= limit * 1.25 and not [end for end in ends if end <= limit]:
        return text[: beyond[0]].strip()
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:—–- ") + "…"


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def iso_moment(value: object) -> dt.datetime | None:
    """An ISO 8601 date and time (``Z`` for UTC) as an aware datetime (UTC when no zone is
    given), or None when ``value`` is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
