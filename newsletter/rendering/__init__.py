"""Issue content to email: MJML rendered and inlined once, then personalised per recipient."""

from newsletter.rendering.personalise import FIELDS, PersonalisableTemplate
from newsletter.rendering.render import RenderedIssue, render_issue

__all__ = ["FIELDS", "PersonalisableTemplate", "RenderedIssue", "render_issue"]
