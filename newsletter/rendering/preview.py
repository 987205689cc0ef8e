"""An issue filled with sample values, for previews and `newsletter render`."""

from newsletter.config import Settings
from newsletter.content.phrases import DEFAULT_LANGUAGE, unnamed_reader
from newsletter.links import Links
from newsletter.rendering.render import RenderedIssue


def preview_fields(settings: Settings, slug: str, language: str = DEFAULT_LANGUAGE,
                   edition: str | None = None) -> dict[str, str]:
    """Stand-in per-recipient values that make a preview read like a real message (to a reader
    of ``language`` whose name we do not know; of the language ``edition``, whose web version
    has an address of its own, or of the main one: None)."""
    links = Links(settings)
    return {
        "name": unnamed_reader(language),
        "email": "reader@example.org",
        "unsubscribe_url": f"{links.base_url}/unsubscribe/preview",
        "web_url": links.archive_url(slug, edition),
    }


def preview(rendered: RenderedIssue, settings: Settings, slug: str,
            language: str = DEFAULT_LANGUAGE, edition: str | None = None) -> tuple[str, str]:
    """The HTML and text of ``rendered`` (in ``language``; of ``edition``, None for the main
    one) as a sample recipient would get them."""
    fields = preview_fields(settings, slug, language, edition)
    return rendered.html.fill(fields), rendered.text.fill(fields)
