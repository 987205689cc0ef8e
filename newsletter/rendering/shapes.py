"""What the issue templates need of the content shapes and the branding, beyond the content."""

from typing import Any

from newsletter.content.branding import Branding
from newsletter.content.models import IssueContent
from newsletter.rendering.article import render_article


def shape_context(content: IssueContent, branding: Branding) -> dict[str, Any]:
    """The template context of ``content``'s shape and of ``branding``: ``brand``, the
    organisation's name and address as branded, and ``article`` (the rendered body of a
    single-article issue, else None)."""
    article = render_article(content.body) if content.format == "article" and content.body else None
    return {"brand": branding, "organisation_name": branding.organisation_name,
            "postal_address": branding.postal_address, "article": article}
