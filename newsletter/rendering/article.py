"""A single-article issue's Markdown body, as safe HTML and as plain text with endnotes.

The body is an editor's Markdown: paragraphs, emphasis, links, quotes, lists, sub-headings and
footnotes (``[^1]`` references and definitions). Raw HTML is never passed through (it shows as
text), links go only to http, https and mailto addresses, images are not Markdown's to add
(an issue's images have alt text, a checked link and a place in the layout), and nh3 cleans
the result once more against a short list of tags. Footnotes become numbered endnotes, each
linking back to where it is referred to, and each reference linking to its note.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.footnote import footnote_plugin

from newsletter.content.phrases import DEFAULT_LANGUAGE, phrases
from newsletter.rendering.text import TEXT_WIDTH, wrap_paragraphs

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_TAGS = {"h2", "h3", "h4", "p", "strong", "em", "a", "blockquote", "ul", "ol", "li", "sup", "hr", "section",
         "code", "pre", "br"}
_ATTRIBUTES = {"a": {"href", "id", "class", "aria-label"}, "li": {"id", "class"}, "sup": {"class"},
               "section": {"class", "aria-label"}, "ol": {"class"}, "hr": {"class"}}


@dataclass(frozen=True)
class Article:
    """A rendered body: ``html`` (safe to place in a page) and ``text`` (wrapped, endnotes last)."""

    html: Markup
    text: str


def render_article(body: str, links: Mapping[str, str] | None = None, words: Mapping[str, str] | None = None) -> Article:
    """``body`` (Markdown) as sanitised HTML and as plain text; ``links`` maps the body's web
    links to the addresses both use instead (a send's tracked links); ``words`` are the issue's
    phrases (content/phrases.py; default: English's), for the notes' heading and links back."""
    words = words or phrases(DEFAULT_LANGUAGE)
    tokens = _markdown().parse(body)
    for token in tokens:  # the title is the h1; the body's headings come under it
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(max(int(token.tag[1]), 2), 4)}"
    for link in _web_links(tokens) if links else ():
        link.attrSet("href", links.get(str(link.attrGet("href")), str(link.attrGet("href"))))
    html = _markdown().renderer.render(tokens, _markdown().options, {"words": words})
    clean = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=set(LINK_SCHEMES),
                      link_rel="noopener noreferrer")
    return Article(Markup(clean), _plain_text(tokens, words["notes"]))


def article_links(body: str) -> list[str]:
    """The body's web (http and https) links, each once, in reading order: those a send tracks."""
    return list(dict.fromkeys(str(link.attrGet("href")) for link in _web_links(_markdown().parse(body))))


def _web_links(tokens: list[Token]) -> list[Token]:
    """The link tokens among ``tokens`` (inline ones included) that lead to a web page: not a
    mail address, not a footnote's anchor."""
    children = (child for token in tokens if token.type == "inline" for child in token.children or [])
    return [child for child in children if child.type == "link_open"
            and str(child.attrGet("href") or "").lower().startswith(("http://", "https://"))]


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).use(footnote_plugin).disable("image")
    md.validateLink = _allowed_link
    md.add_render_rule("footnote_anchor", _backref)
    md.add_render_rule("footnote_block_open", _notes_open)
    return md


def _allowed_link(url: str) -> bool:
    scheme, colon, _ = url.strip().partition(":")
    return bool(colon) and scheme.lower() in LINK_SCHEMES


def _backref(self, tokens: list[Token], idx: int, options, env) -> str:
    n = tokens[idx].meta["id"] + 1
    ref = f"fnref{n}" + (f":{tokens[idx].meta['subId']}" if tokens[idx].meta.get("subId") else "")
    label = escape(env["words"]["back_to_reference"].format(n=n))
    return f' <a href="#{ref}" class="footnote-backref" aria-label="{label}">↩</a>'


def _notes_open(self, tokens: list[Token], idx: int, options, env) -> str:
    label = escape(env["words"]["notes"])
    return f'<hr class="footnotes-sep">\n<section class="footnotes" aria-label="{label}">\n<ol class="footnotes-list">\n'


def _plain_text(tokens: list[Token], notes_heading: str) -> str:
    """The body as text: headings underlined, quotes marked ``>``, links followed by their
    address, references as ``[1]`` and the notes listed under ``notes_heading`` at the end."""
    blocks: list[str] = []
    notes: list[str] = []
    quote = 0
    lists: list[list[int]] = []  # one counter per open list: [next number] (0: bullets)
    in_note: int | None = None
    for i, token in enumerate(tokens):
        if token.type == "blockquote_open":
            quote += 1
        elif token.type == "blockquote_close":
            quote -= 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else 0])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "footnote_open":
            in_note = token.meta["id"] + 1
        elif token.type == "footnote_close":
            in_note = None
        elif token.type in ("fence", "code_block"):
            blocks.append("\n".join("    " + line for line in token.content.rstrip("\n").splitlines()))
        elif token.type == "inline":
            text = _inline(token.children or [])
            opener = tokens[i - 1]
            if in_note is not None:
                notes.append(wrap_paragraphs(f"[{in_note}] {text}", TEXT_WIDTH))
            elif opener.type == "heading_open":
                blocks.append(f"{text}\n{'-' * min(len(text), TEXT_WIDTH)}")
            elif lists and tokens[i - 2].type == "list_item_open" and tokens[i - 3].type == "list_item_close":
                blocks[-1] += "\n" + _block(text, quote, lists)  # the next item of a list: no blank line
            else:
                blocks.append(_block(text, quote, lists))
    if notes:
        blocks.append(f"{notes_heading}\n{'-' * min(len(notes_heading), TEXT_WIDTH)}\n\n" + "\n".join(notes))
    return "\n\n".join(blocks)


def _block(text: str, quote: int, lists: list[list[int]]) -> str:
    if lists:
        counter = lists[-1]
        marker = f"{counter[0]}." if counter[0] else "-"
        counter[0] += 1 if counter[0] else 0
        text = f"{'  ' * (len(lists) - 1)}{marker} {text}"
    width = TEXT_WIDTH - 2 * quote
    wrapped = wrap_paragraphs(text, width)
    if quote:
        wrapped = "\n".join("> " * quote + line for line in wrapped.splitlines())
    return wrapped


def _inline(children: list[Token]) -> str:
    out: list[str] = []
    links: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "link_open":
            links.append(str(child.attrGet("href") or ""))
            out.append("\0")  # where the link's text starts
        elif child.type == "link_close":
            href = links.pop()
            start = len(out) - 1 - out[::-1].index("\0")
            label = "".join(out[start + 1:])
            shown = href.removeprefix("mailto:")
            out[start:] = [label if label == shown else f"{label} ({shown})"]
        elif child.type == "footnote_ref":
            out.append(f"[{child.meta['id'] + 1}]")
    return "".join(out)
