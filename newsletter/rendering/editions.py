"""Rendering every edition of an issue, once each: the main language's and each edition's."""

from collections.abc import Mapping
from typing import Any

from newsletter.config import Settings
from newsletter.content.editions import edition_content, edition_languages
from newsletter.content.models import IssueContent
from newsletter.rendering.render import RenderedIssue, render_issue


def render_editions(content: IssueContent, settings: Settings, *, links: Mapping[str, str] | None = None,
                    **options: Any) -> dict[str, RenderedIssue]:
    """Each edition of ``content`` rendered, by language, the main one first. ``links`` (tracked
    links) covers every edition's item links; ``options`` go to :func:`render_issue`."""
    return {language: render_issue(edition_content(content, language), settings, links=links, **options)
            for language in edition_languages(content)}
