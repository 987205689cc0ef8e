"""What the issue templates need of the content shapes and the branding, beyond the content."""

from collections.abc import Mapping
from typing import Any

from newsletter.content.branding import Branding
from newsletter.content.models import IssueContent
from newsletter.content.phrases import phrases
from newsletter.rendering.article import render_article


def brand_context(branding: Branding) -> dict[str, Any]:
    """The template context of ``branding``: ``brand``, and the organisation's name and address
    as branded (templates name them so)."""
    return {"brand": branding, "organisation_name": branding.organisation_name,
            "postal_address": branding.postal_address}


def shape_context(content: IssueContent, branding: Branding, links: Mapping[str, str] | None = None) -> dict[str, Any]:
    """:func:`brand_context`, and ``article``: the rendered body of a single-article issue (its
    web links replaced as ``links`` says: a send's tracked links; its notes labelled in its
    language), else None."""
    article = (render_article(content.body, links, phrases(content.language, content.phrases))
               if content.format == "article" and content.body else None)
    return {**brand_context(branding), "article": article}
