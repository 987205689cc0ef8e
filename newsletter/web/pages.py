"""Server-rendered pages in the look of the emails (templates/web/)."""

from typing import Any

from fastapi.responses import HTMLResponse

from newsletter.config import Settings
from newsletter.editorial.archive import chrome
from newsletter.rendering.render import template_environment


class Pages:
    """Renders the web templates with the organisation's details."""

    def __init__(self, settings: Settings):
        self.env = template_environment(settings.templates_dir)
        self.brand = {
            "organisation_name": settings.organisation_name,
            "postal_address": settings.postal_address,
            "from_name": settings.from_name,
            "base_url": settings.base_url,
        }

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        """An HTML response of ``templates/web/<template>.html.j2``; its ``chrome`` (the words
        and links around the content) is the whole archive's, in English, unless given."""
        html = self.env.get_template(f"web/{template}.html.j2").render({**self.brand, "chrome": chrome(), **context})
        return HTMLResponse(html, status_code=status)

    def message(self, title: str, *paragraphs: str, status: int = 200, link: dict | None = None,
                **context: Any) -> HTMLResponse:
        """A page that only says something; ``context``: anything else the page takes (its ``chrome``)."""
        return self.render("message", status=status, title=title, paragraphs=paragraphs, link=link, **context)
