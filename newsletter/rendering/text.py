"""Laying out the plain-text part: paragraphs wrapped to a width, whatever breaks they came with.

Editors paste blurbs from emails and documents with hard line breaks every 50 or 60 columns;
wrapping each of those lines on its own leaves short, ragged lines mid-paragraph. So a single
line break is a space, a blank line separates paragraphs, and a line that starts like a list
item (``- ``, ``* ``, ``1. ``, ``1) ``) stays a line of its own.
"""

import re
import textwrap
import unicodedata

TEXT_WIDTH = 72  # the customary width of a plain-text email, short of the 78 RFC 5322 asks for
_LIST_ITEM = re.compile(r"(?:[-*•]|\d{1,2}[.)])\s+")  # two digits at most: "2023 was" is no list


def wrap_paragraphs(text: str, width: int = TEXT_WIDTH) -> str:
    """``text`` wrapped to ``width`` columns paragraph by paragraph, blank lines between them.

    A list item's continuation lines are indented under its text. A word longer than the
    width (a URL) gets a line of its own rather than being broken, and nothing is broken at
    a hyphen, so links stay whole and clickable.
    """
    paragraphs = (p for p in re.split(r"\n\s*\n", text) if p.strip())
    return "\n\n".join("\n".join(_wrap_paragraph(p, width)) for p in paragraphs)


def _wrap_paragraph(paragraph: str, width: int) -> list[str]:
    logical_lines: list[str] = []
    for line in paragraph.splitlines():
        words = " ".join(line.split())
        if not words:
            continue
        if logical_lines and not _LIST_ITEM.match(words):
            logical_lines[-1] += " " + words  # a hard break inside a paragraph or a list item
        else:
            logical_lines.append(words)
    wrapped = []
    for line in logical_lines:
        marker = _LIST_ITEM.match(line)
        indent = " " * len(marker.group(0)) if marker else ""
        wrapped += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False)
    return wrapped


RLM = "\u200f"  # RIGHT-TO-LEFT MARK: makes a line that starts with a number or Latin text read right to left


def mark_rtl_lines(text: str) -> str:
    """``text`` of a right-to-left edition, each line that does not start with right-to-left
    text prefixed with a right-to-left mark, so that mail programs, which choose a line's
    direction from its first strong character, lay out every line right to left: "1. عنوان",
    a link, the footer's Latin address."""
    return "\n".join(line if not line or _starts_rtl(line) else RLM + line for line in text.split("\n"))


def _starts_rtl(line: str) -> bool:
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
