"""Rendering an issue: Jinja2 -> MJML -> mjml-python -> premailer, and the text part.

:func:`render_issue` is pure: the same content and settings give the same result, and it
touches neither the network nor the database.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from mjml import mjml2html

from newsletter.config import Settings
from newsletter.content.branding import Branding, settings_branding
from newsletter.content.models import IssueContent
from newsletter.content.phrases import long_date, phrases
from newsletter.errors import RenderError
from newsletter.rendering.inline import inline_css
from newsletter.rendering.personalise import MARKERS, PersonalisableTemplate
from newsletter.rendering.shapes import shape_context
from newsletter.rendering.text import mark_rtl_lines, wrap_paragraphs


@dataclass(frozen=True)
class RenderedIssue:
    """An issue rendered once, ready to be personalised for each recipient."""

    subject: str
    preheader: str
    html: PersonalisableTemplate
    text: PersonalisableTemplate


def render_issue(content: IssueContent, settings: Settings, *, links: Mapping[str, str] | None = None,
                 branding: Branding | None = None) -> RenderedIssue:
    """Render ``content`` to email HTML and plain text with per-recipient slots.

    ``links`` maps item, call-to-action and article body links to the addresses both parts use
    instead (tracked links); ``branding`` is the organisation's look (default: the settings').
    """
    if links:
        cta = content.call_to_action
        content = content.model_copy(update={"sections": [
            section.model_copy(update={"items": [item.model_copy(update={"url": links.get(item.url, item.url)})
                                                 for item in section.items]})
            for section in content.sections
        ], "call_to_action": cta and cta.model_copy(update={"url": links.get(cta.url, cta.url)})})
    html, text = render_email(
        "issue", settings, issue=content, long_date=long_date(content.date, content.language),
        phrases=phrases(content.language, content.phrases),
        **shape_context(content, branding or settings_branding(settings), links),
    )
    if content.direction == "rtl":
        text = PersonalisableTemplate(mark_rtl_lines(text.source), escape_html=False)
    return RenderedIssue(content.effective_subject, content.effective_preheader, html, text)


def render_email(template: str, settings: Settings, **context: Any) -> tuple[PersonalisableTemplate, PersonalisableTemplate]:
    """Render ``templates/email/<template>.mjml.j2`` and ``<template>.txt.j2`` to HTML and text.

    The templates get ``context``, the organisation's details and ``fields`` (the markers of
    the per-recipient values).
    """
    env = template_environment(settings.templates_dir)
    context = {
        "fields": MARKERS,
        "organisation_name": settings.organisation_name,
        "postal_address": settings.postal_address,
        "from_name": settings.from_name,
        **context,
    }
    try:
        mjml = env.get_template(f"email/{template}.mjml.j2").render(context)
        text = env.get_template(f"email/{template}.txt.j2").render(context)
    except jinja2.TemplateError as err:
        raise RenderError(f"template error in email/{template}: {err}") from err
    try:
        compiled = mjml2html(mjml, disable_comments=True, fonts={})
    except ValueError as err:
        raise RenderError(f"MJML of email/{template} did not compile: {err}") from err
    return (
        PersonalisableTemplate(inline_css(compiled), escape_html=True),
        PersonalisableTemplate(_tidy_text(text), escape_html=False),
    )


def _paragraphs(text: str) -> list[str]:
    """Split text at blank lines into paragraphs."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _tidy_text(text: str) -> str:
    """At most one blank line in a row, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


@lru_cache(maxsize=8)
def template_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment of email and web templates (autoescaped, but for ``.txt.j2``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=lambda name: name is not None and name.endswith((".mjml.j2", ".html.j2", ".xml.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["paragraphs"] = _paragraphs
    env.filters["wrap"] = wrap_paragraphs
    return env
