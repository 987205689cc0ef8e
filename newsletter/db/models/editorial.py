"""Editorial: items collected through the week, issues made of sections of items."""

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.db.models.base import Base, utcnow


class Item(Base):
    """A curated item: headline, blurb and link, collected before it goes into an issue."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    headline: Mapped[str] = mapped_column(String(300))
    blurb: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    image_alt: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(20), default="en")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    byline: Mapped[str | None] = mapped_column(String(200))  # the author, e.g. "Benedict Rogers"
    kicker: Mapped[str | None] = mapped_column(String(100))  # region, country or category
    image_caption: Mapped[str | None] = mapped_column(String(500))
    image_credit: Mapped[str | None] = mapped_column(String(200))  # e.g. "© 2016 Reuters"
    featured: Mapped[bool] = mapped_column(default=False, server_default=false())
    published_at: Mapped[dt.datetime | None]  # when the story itself was published
    # The story's URL without tracking parameters (intake): the same story is one item.
    canonical_url: Mapped[str | None] = mapped_column(String(2000), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime | None] = mapped_column(onupdate=utcnow)

    translations: Mapped[list["ItemTranslation"]] = relationship(  # noqa: F821 (models/editions.py)
        cascade="all, delete-orphan", lazy="selectin", order_by="ItemTranslation.language"
    )


class Issue(Base):
    """One issue of the newsletter: its front matter and ordered sections."""

    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(String(250))
    preheader: Mapped[str | None] = mapped_column(String(250))
    intro: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(20), default="en")
    editions: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")  # other languages
    phrases: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")  # overridden
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, ready, scheduled, sent
    # Bumped by every save: a save based on an older version is refused (no lost edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[str | None] = mapped_column(String(200))  # who saved last, for display
    # Its shape (migration 0018): a brief of items, or one article with a Markdown body.
    format: Mapped[str] = mapped_column(String(20), default="items", server_default="items")
    dateline: Mapped[str | None] = mapped_column(String(200))
    byline: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    # Its call to action: a sentence and a button (position: after_intro, after_section, end).
    cta_text: Mapped[str | None] = mapped_column(String(500))
    cta_button: Mapped[str | None] = mapped_column(String(40))
    cta_url: Mapped[str | None] = mapped_column(String(2000))
    cta_position: Mapped[str | None] = mapped_column(String(20))
    cta_section: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    translations: Mapped[list["IssueTranslation"]] = relationship(  # noqa: F821 (models/editions.py)
        cascade="all, delete-orphan", lazy="selectin", order_by="IssueTranslation.language"
    )
    sections: Mapped[list["IssueSection"]] = relationship(
        back_populates="issue", order_by="IssueSection.position", cascade="all, delete-orphan"
    )


class IssueSection(Base):
    """A titled (or untitled) run of items within an issue."""

    __tablename__ = "issue_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))

    issue: Mapped[Issue] = relationship(back_populates="sections")
    entries: Mapped[list["IssueEntry"]] = relationship(
        back_populates="section", order_by="IssueEntry.position", cascade="all, delete-orphan"
    )


class IssueEntry(Base):
    """An item's place in a section of an issue."""

    __tablename__ = "issue_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("issue_sections.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    section: Mapped[IssueSection] = relationship(back_populates="entries")
    item: Mapped[Item] = relationship()

