"""The content shapes between the database and content: an item's byline, kicker, caption,
credit and featured flag; an issue's format (items or one article) and its call to action.

The issue keeps its call to action in flat columns (``cta_*``), as the composer edits it;
content has it as one :class:`~newsletter.content.models.CallToAction`, as issue files write it.
"""

from typing import Any

from newsletter.content.models import CallToAction, IssueContent, ItemContent
from newsletter.db.models import Issue, Item

ITEM_SHAPE = ("byline", "kicker", "image_caption", "image_credit", "featured")
ARTICLE = ("format", "dateline", "byline", "body")


def item_shape(item: Item | ItemContent) -> dict[str, Any]:
    """The shape fields of an item, stored or from content: both name them alike."""
    return {field: getattr(item, field) for field in ITEM_SHAPE}


def issue_shape(issue: Issue, *, validate: bool = True) -> dict[str, Any]:
    """The format, article fields and call to action of a stored issue, as content takes them.

    Without ``validate`` (a draft's preview), an incomplete call to action is kept as it is,
    for the pre-flight checks to name what it lacks.
    """
    shape = {field: getattr(issue, field) for field in ARTICLE}
    shape["format"] = shape["format"] or "items"
    cta = {"text": issue.cta_text, "button": issue.cta_button, "url": issue.cta_url,
           "position": issue.cta_position or "end",
           "section": issue.cta_section if issue.cta_position == "after_section" else None}
    if not (issue.cta_text or issue.cta_button or issue.cta_url):
        shape["call_to_action"] = None
    elif validate:
        shape["call_to_action"] = CallToAction.model_validate(cta)
    else:
        shape["call_to_action"] = CallToAction.model_construct(**cta)
    return shape


def stored_issue_shape(content: IssueContent) -> dict[str, Any]:
    """The format, article fields and call to action of content, as the issue's columns."""
    cta = content.call_to_action
    return {
        **{field: getattr(content, field) for field in ARTICLE},
        "cta_text": cta.text if cta else None, "cta_button": cta.button if cta else None,
        "cta_url": cta.url if cta else None, "cta_position": cta.position if cta else None,
        "cta_section": cta.section if cta else None,
    }
