"""The organisation's look: name, logo, colours, footer, address and social links.

Settings give the defaults (``NEWSLETTER_BRAND_*``); admins override them in the newsroom
(:mod:`newsletter.editorial.branding`). The checks here are pure: WCAG AA contrast of each
colour with every colour the templates draw beside it (:data:`TEXT_PAIRS`), and alt text for
the logo.
"""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from newsletter.config import Settings
from newsletter.content.models import Paragraphs, SingleLine, Url
from newsletter.content.safety import check_https

Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$"), AfterValidator(str.lower)]
HttpsUrl = Annotated[Url, AfterValidator(check_https)]
WHITE = "#ffffff"
MASTHEAD_MUTED = "#dfe7f2"  # the masthead's organisation name and date, on the primary colour
PAPER = "#f4f1ec"  # the background around the sheet: the archive's footer is on it
#: WCAG 2.x level AA for normal text (under 18.66 px bold or 24 px): our links, section
#: titles, buttons and masthead text are all normal-sized somewhere.
AA_CONTRAST = 4.5
#: Every pair of text and background the templates draw with a brand colour: the colour's
#: field, the colour beside it, and where (templates/email/issue.mjml.j2 and _shapes.mjml.j2,
#: templates/web/base.html.j2 and _shapes.html.j2; tests/content/test_branding_contrast.py
#: reads the templates' own colours).
TEXT_PAIRS = (
    ("primary_colour", WHITE, "the masthead's title, and links on white"),
    ("primary_colour", MASTHEAD_MUTED, "the masthead's organisation name and date"),
    ("primary_colour", PAPER, "the archive footer's links"),
    ("accent_colour", WHITE, "section titles, kickers and the call-to-action button's label"),
)


class SocialLink(BaseModel):
    """A link to the organisation elsewhere: "Mastodon" and its https address."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Annotated[SingleLine, Field(max_length=40)]
    url: HttpsUrl


class Branding(BaseModel):
    """The look of the emails and the archive.

    ``primary_colour`` is the masthead behind white and light blue-grey text and the colour of
    links on white (and on the archive's paper-coloured footer); ``accent_colour`` the section
    titles on white and the call-to-action button behind white text.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation_name: Annotated[SingleLine, Field(max_length=200)]
    logo_url: HttpsUrl | None = None
    logo_alt: Annotated[SingleLine, Field(max_length=300)] | None = None
    primary_colour: Colour = "#1d3557"
    accent_colour: Colour = "#8a1c1c"
    footer_text: Annotated[Paragraphs, Field(max_length=1000)] | None = None
    postal_address: Annotated[SingleLine, Field(max_length=300)]
    social_links: Annotated[list[SocialLink], Field(max_length=8)] = []


def settings_branding(settings: Settings) -> Branding:
    """The branding the settings give, before any newsroom override."""
    return Branding(
        organisation_name=settings.organisation_name, postal_address=settings.postal_address,
        logo_url=settings.brand_logo_url, logo_alt=settings.brand_logo_alt,
        primary_colour=settings.brand_primary_colour, accent_colour=settings.brand_accent_colour,
        footer_text=settings.brand_footer_text,
        social_links=[social_link(entry) for entry in settings.brand_social_links.split(",") if entry.strip()],
    )


def social_link(text: str) -> dict[str, str]:
    """``Mastodon https://mastodon.example/@us`` as {label, url}: the address is the last word."""
    label, _, url = text.strip().rpartition(" ")
    return {"label": label.strip(), "url": url}


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2.x contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.x) of ``#rrggbb``."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def branding_problems(branding: Branding) -> list[str]:
    """What makes ``branding`` unfit to send: a colour that fails WCAG AA with any text or
    background drawn beside it (:data:`TEXT_PAIRS`), a logo with no alt text. Each is a
    sentence saying what to change."""
    problems = []
    for field, name in (("primary_colour", "primary"), ("accent_colour", "accent")):
        colour = getattr(branding, field)
        failing = [(contrast_ratio(colour, other), other, where) for pair_field, other, where in TEXT_PAIRS
                   if pair_field == field and contrast_ratio(colour, other) < AA_CONTRAST]
        if failing:
            found = ", ".join(f"{ratio:.2f}:1 with {'white' if other == WHITE else other} ({where})"
                              for ratio, other, where in failing)
            problems.append(f"The {name} colour {colour} has a contrast of {found}; WCAG AA needs "
                            f"{AA_CONTRAST}:1. Choose a darker colour.")
    if branding.logo_url and not branding.logo_alt:
        problems.append("The logo has no alt text: say what it shows (usually the organisation's name).")
    return problems
