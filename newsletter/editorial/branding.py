"""The organisation's look as stored: the settings' branding, overridden by what admins set
in the newsroom (one row; a blank field keeps the setting)."""

from typing import Any

from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.content.branding import Branding, settings_branding, social_link
from newsletter.db.models import BrandingOverride

ROW_ID = 1
FIELDS = ("organisation_name", "logo_url", "logo_alt", "primary_colour", "accent_colour", "footer_text",
          "postal_address", "social_links")


def current_branding(*, session: Session | None, settings: Settings) -> Branding:
    """The branding emails and the archive use now (the settings' alone without ``session``)."""
    base = settings_branding(settings)
    row = session.get(BrandingOverride, ROW_ID) if session is not None else None
    if row is None:
        return base
    overrides = {field: getattr(row, field) for field in FIELDS if getattr(row, field) is not None}
    return Branding.model_validate({**base.model_dump(), **overrides})


def form_values(branding: Branding) -> dict[str, str]:
    """``branding`` as the newsroom's form shows it: social links one a line, "Label https://..."."""
    values = {field: getattr(branding, field) or "" for field in FIELDS}
    values["social_links"] = "\n".join(f"{link.label} {link.url}" for link in branding.social_links)
    return values


def save_branding(*, session: Session, settings: Settings, values: dict[str, Any], editor: str) -> Branding:
    """Store ``values`` (the form's text; blank: keep the setting) and return the branding that
    results. Raises pydantic's ValidationError for a bad value, naming the field."""
    given = {field: (str(values.get(field) or "").strip() or None) for field in FIELDS}
    if given["social_links"] is not None:
        given["social_links"] = [social_link(line) for line in given["social_links"].splitlines() if line.strip()]
    base = settings_branding(settings).model_dump()
    branding = Branding.model_validate({**base, **{k: v for k, v in given.items() if v is not None}})
    row = session.get(BrandingOverride, ROW_ID) or BrandingOverride(id=ROW_ID)
    for field in FIELDS:
        setattr(row, field, branding.model_dump(mode="json")[field] if given[field] is not None else None)
    row.updated_by = editor
    session.add(row)
    session.flush()
    return branding
