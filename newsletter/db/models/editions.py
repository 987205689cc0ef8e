"""Language editions: an issue's and its items' translations, and a send's rendering of each
edition (the main one stays on the send itself)."""

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.db.models.base import Base


class IssueTranslation(Base):
    """An issue's front matter in one of its editions' languages, and the phrases it overrides."""

    __tablename__ = "issue_translations"

    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(250))
    preheader: Mapped[str | None] = mapped_column(String(250))
    intro: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)  # a single article's, in Markdown
    dateline: Mapped[str | None] = mapped_column(String(200))  # a single article's
    byline: Mapped[str | None] = mapped_column(String(200))
    # The call to action's words and link in that language (where it goes is the issue's).
    cta_text: Mapped[str | None] = mapped_column(String(500))
    cta_button: Mapped[str | None] = mapped_column(String(40))
    cta_url: Mapped[str | None] = mapped_column(String(2000))
    # {the section's title in the main language: its title in this one} (content/models.py says why)
    section_titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    phrases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")


class ItemTranslation(Base):
    """An item in another language; a field left empty falls back to the item's own."""

    __tablename__ = "item_translations"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(20), primary_key=True)
    headline: Mapped[str | None] = mapped_column(String(300))
    blurb: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))  # the story's page in that language
    image_alt: Mapped[str | None] = mapped_column(String(300))
    kicker: Mapped[str | None] = mapped_column(String(100))
    image_caption: Mapped[str | None] = mapped_column(String(500))
    image_credit: Mapped[str | None] = mapped_column(String(200))


class SendEdition(Base):
    """A send's rendering of one of its editions other than the main one (sending/create.py):
    the readers frozen with that ``deliveries.edition`` get it (sending/dispatch.py)."""

    __tablename__ = "send_editions"

    send_id: Mapped[int] = mapped_column(ForeignKey("sends.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject: Mapped[str] = mapped_column(String(250))
    html_template: Mapped[str] = mapped_column(Text)
    text_template: Mapped[str] = mapped_column(Text)
