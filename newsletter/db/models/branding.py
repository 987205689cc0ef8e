"""Branding: the organisation's look as admins set it in the newsroom, over the settings."""

import datetime as dt

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.db.models.base import Base, utcnow


class BrandingOverride(Base):
    """The one row of branding set in the newsroom; a null column keeps the setting's value."""

    __tablename__ = "branding"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    logo_alt: Mapped[str | None] = mapped_column(String(300))
    primary_colour: Mapped[str | None] = mapped_column(String(7))  # "#1d3557"
    accent_colour: Mapped[str | None] = mapped_column(String(7))
    footer_text: Mapped[str | None] = mapped_column(Text)
    postal_address: Mapped[str | None] = mapped_column(String(300))
    social_links: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # [{label, url}]
    updated_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
