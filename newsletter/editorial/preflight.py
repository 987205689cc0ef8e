"""Pre-flight checks of an issue before approval: pure functions over its content.

Errors block approval (the email would be broken, clipped or inaccessible); warnings are
advice an editor may overrule (a long subject, a plain-http link).
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from newsletter.content.models import IssueContent
from newsletter.content.safety import FIELD_MARKER_PREFIX

GMAIL_CLIP_BYTES = 102_000  # Gmail hides the rest of a larger HTML body behind "[Message clipped]"
SIZE_WARNING_BYTES = 90_000
SUBJECT_WARN_LENGTH = 60  # phones show about this much of a subject line
PREHEADER_WARN_LENGTH = 140
HEADLINE_WARN_LENGTH = 120
BLURB_WARN_LENGTH = 600

# Merge tags of other tools and template syntax pasted into text: they would go out verbatim.
_UNRESOLVED = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\*\|[A-Za-z0-9_:]+\|\*|%%[A-Za-z_]+%%|\[\[[^\]]+\]\]"
    r"|\[(?:FIRST ?NAME|FNAME|LNAME|NAME|EMAIL)\]|" + FIELD_MARKER_PREFIX,
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    """One result of the checks. ``item_id`` names the item it is about, if any."""

    level: Literal["error", "warning"]
    message: str
    item_id: int | None = None


def check_issue(
    content: IssueContent, *, item_ids: list[int], html_bytes: int | None, render_error: str | None = None
) -> list[Finding]:
    """Every finding about ``content``, errors first.

    ``item_ids`` are the ids of ``content.items`` in the same order; ``html_bytes`` is the
    size of the rendered HTML part (None when it did not render, and ``render_error`` says why).
    """
    findings = [*_front_matter(content), *_sections(content)]
    findings += _items(content, item_ids)
    findings += _size(html_bytes, render_error)
    return sorted(findings, key=lambda f: f.level != "error")


def _front_matter(content: IssueContent) -> list[Finding]:
    found = []
    subject = content.effective_subject
    if len(subject) > SUBJECT_WARN_LENGTH:
        found.append(Finding("warning", f"The subject has {len(subject)} characters: phones show about "
                                        f"{SUBJECT_WARN_LENGTH}, so put what matters first."))
    if not content.effective_preheader:
        found.append(Finding("warning", "There is no preheader or intro: inboxes will show the first text "
                                        "of the email instead."))
    elif len(content.effective_preheader) > PREHEADER_WARN_LENGTH:
        found.append(Finding("warning", f"The preheader has {len(content.effective_preheader)} characters; "
                                        f"inboxes show about {PREHEADER_WARN_LENGTH}."))
    for name in ("title", "subject", "preheader", "intro"):
        if tags := _leftover_tags(getattr(content, name)):
            found.append(_leftovers(f"the {name}", tags))
    return found


def _sections(content: IssueContent) -> list[Finding]:
    found = []
    if not content.items and content.format != "article":  # an article's body: shape_checks.py
        found.append(Finding("error", "The issue has no items yet."))
    for number, section in enumerate(content.sections, 1):
        if not section.items and (section.title or len(content.sections) > 1):
            found.append(Finding("error", f"Section {number} ({section.title or 'untitled'}) is empty: "
                                          "add items or remove it."))
    return found


def _items(content: IssueContent, item_ids: list[int]) -> list[Finding]:
    found = []
    urls = Counter(item.url for item in content.items)
    for item, item_id in zip(content.items, item_ids, strict=True):
        name = f"“{_short(item.headline)}”"
        if not item.url:  # intake saves an item without a link (a pasted newsletter had none)
            found.append(Finding("error", f"{name} has no link: add the page “Read more” opens.", item_id))
        if not item.blurb:
            found.append(Finding("error", f"{name} has no blurb.", item_id))
        elif len(item.blurb) > BLURB_WARN_LENGTH:
            found.append(Finding("warning", f"{name} has a blurb of {len(item.blurb)} characters; "
                                            f"keep blurbs under {BLURB_WARN_LENGTH}.", item_id))
        if len(item.headline) > HEADLINE_WARN_LENGTH:
            found.append(Finding("warning", f"{name} has a headline of {len(item.headline)} characters; "
                                            f"keep headlines under {HEADLINE_WARN_LENGTH}.", item_id))
        if item.image and not item.image_alt:
            found.append(Finding("error", f"{name} has an image without alt text (screen readers read it).",
                                 item_id))
        for url in filter(None, (item.url, item.image)):
            if url.lower().startswith("http://"):
                found.append(Finding("warning", f"{name} links to {url} over plain HTTP; use https:// "
                                                "if the site supports it.", item_id))
        if item.url and urls[item.url] > 1:
            found.append(Finding("warning", f"{name} links to {item.url}, as another item does.", item_id))
        if tags := _leftover_tags(item.headline, item.blurb, item.source, item.image_alt):
            found.append(_leftovers(name, tags, item_id))
    return found


def _leftover_tags(*texts: str | None) -> list[str]:
    """Every merge tag or template syntax left in ``texts``, once each, in order: the editor
    fixes them all in one pass, not one per round of checks."""
    return list(dict.fromkeys(m.group(0) for text in texts for m in _UNRESOLVED.finditer(text or "")))


def _leftovers(where: str, tags: list[str], item_id: int | None = None) -> Finding:
    what = "Leftover merge tags" if len(tags) > 1 else "A leftover merge tag"
    return Finding("error", f"{what} in {where}: {', '.join(tags)}.", item_id)


def _size(html_bytes: int | None, render_error: str | None) -> list[Finding]:
    if html_bytes is None:
        return [Finding("error", f"The email does not render: {render_error}")]
    kb = f"{html_bytes / 1000:.1f} KB"
    if html_bytes > GMAIL_CLIP_BYTES:
        return [Finding("error", f"The email is {kb}: Gmail clips messages over {GMAIL_CLIP_BYTES // 1000} KB, "
                                 "hiding the end (and the unsubscribe link). Remove items or shorten blurbs.")]
    if html_bytes > SIZE_WARNING_BYTES:
        return [Finding("warning", f"The email is {kb}, close to Gmail's clipping limit of "
                                   f"{GMAIL_CLIP_BYTES // 1000} KB.")]
    return []


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
