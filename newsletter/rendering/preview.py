"""An issue filled with sample values, for previews and `newsletter render`."""

from newsletter.config import Settings
from newsletter.links import Links
from newsletter.rendering.render import RenderedIssue


def preview_fields(settings: Settings, slug: str) -> dict[str, str]:
    """Stand-in per-recipient values that make a preview read like a real message."""
    links = Links(settings)
    return {
        "name": "there",
        "email": "reader@example.org",
        "unsubscribe_url": f"{links.base_url}/unsubscribe/preview",
        "web_url": links.archive_url(slug),
    }


def preview(rendered: RenderedIssue, settings: Settings, slug: str) -> tuple[str, str]:
    """The HTML and text of ``rendered`` as a sample recipient would get them."""
    fields = preview_fields(settings, slug)
    return rendered.html.fill(fields), rendered.text.fill(fields)
