"""Rendering an issue: Jinja2 -> MJML -> mjml-python -> premailer, and the text part.

:func:`render_issue` is pure: the same content and settings give the same result, and it
touches neither the network nor the database.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from mjml import mjml2html

from newsletter.config import Settings
from newsletter.content.models import IssueContent
from newsletter.errors import RenderError
from newsletter.rendering.inline import inline_css
from newsletter.rendering.personalise import MARKERS, PersonalisableTemplate

HTML_TEMPLATE = "email/issue.mjml.j2"
TEXT_TEMPLATE = "email/issue.txt.j2"


@dataclass(frozen=True)
class RenderedIssue:
    """An issue rendered once, ready to be personalised for each recipient."""

    subject: str
    preheader: str
    html: PersonalisableTemplate
    text: PersonalisableTemplate


def render_issue(content: IssueContent, settings: Settings) -> RenderedIssue:
    """Render ``content`` to email HTML and plain text with per-recipient slots."""
    env = _environment(settings.templates_dir)
    context = {
        "issue": content,
        "fields": MARKERS,
        "long_date": f"{content.date.day} {content.date:%B %Y}",
        "organisation_name": settings.organisation_name,
        "postal_address": settings.postal_address,
        "from_name": settings.from_name,
    }
    try:
        mjml = env.get_template(HTML_TEMPLATE).render(context)
        text = env.get_template(TEXT_TEMPLATE).render(context)
    except jinja2.TemplateError as err:
        raise RenderError(f"template error: {err}") from err
    try:
        compiled = mjml2html(mjml, disable_comments=True, fonts={})
    except ValueError as err:
        raise RenderError(f"MJML did not compile: {err}") from err
    return RenderedIssue(
        subject=content.effective_subject,
        preheader=content.effective_preheader,
        html=PersonalisableTemplate(inline_css(compiled), escape_html=True),
        text=PersonalisableTemplate(_tidy_text(text), escape_html=False),
    )


def _paragraphs(text: str) -> list[str]:
    """Split text at blank lines into paragraphs."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _tidy_text(text: str) -> str:
    """At most one blank line in a row, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


@lru_cache(maxsize=8)
def _environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=lambda name: name is not None and name.endswith((".mjml.j2", ".html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["paragraphs"] = _paragraphs
    return env
