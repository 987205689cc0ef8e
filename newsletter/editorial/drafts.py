"""What editors submit while composing: items and issue drafts, checked for safety.

A draft is less strict than :class:`~newsletter.content.models.IssueContent`: an item may
wait in the inbox without its blurb, an image may lack its alt text for now, a section may
be empty. Those are completeness rules, and the pre-flight checks report them before
approval. Safety rules hold from the first keystroke: every link is an absolute http(s)
URL, and text has no control characters (nor line breaks, where it could reach a header).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from newsletter.content.models import (
    LanguageTag,
    Paragraphs,
    Phrases,
    RowId,
    SectionTitle,
    SingleLine,
    Url,
    Version,
)
from newsletter.content.safety import check_https, check_text, check_url


def _none_if_blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _blank_or_paragraphs(value: str) -> str:
    return check_text(value, multiline=True) if value.strip() else ""


def _blank_or_url(value: str) -> str:
    return check_url(value) if value.strip() else ""


def _given_titles(value: Any) -> Any:
    """Section titles' translations from a form: a blank one is no translation."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {main: title for main, title in value.items() if not isinstance(title, str) or title.strip()}
    return value


def _tags(value: Any) -> Any:
    if isinstance(value, str):  # "rights, asia" from a form field
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        return value  # not a list of text: the type check says what is wrong with it
    return list(dict.fromkeys(t.strip().lower() for t in value if t.strip()))


Optional = BeforeValidator(_none_if_blank)
Editions = Annotated[list[LanguageTag], BeforeValidator(lambda v: _tags(v) if isinstance(v, str) else v),
                     Field(max_length=20)]  # "es, ar" from a form field
Overrides = Annotated[Phrases, BeforeValidator(lambda v: v or {})]
Language = Annotated[LanguageTag, BeforeValidator(lambda v: v or "en")]
Tag = Annotated[SingleLine, Field(max_length=40)]
Tags = Annotated[list[Tag], BeforeValidator(_tags), Field(max_length=12)]  # a list, or "rights, asia"


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemDraft(_Draft):
    """An item as an editor enters it into the inbox."""

    # An item may wait in the inbox for its link (a pasted newsletter had none); pre-flight
    # refuses it in an issue.
    url: Annotated[str, Field(max_length=2000), AfterValidator(_blank_or_url)] = ""
    headline: Annotated[SingleLine, Field(max_length=300)]
    blurb: Annotated[str, Field(max_length=3000), AfterValidator(_blank_or_paragraphs)] = ""
    source: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    image_url: Annotated[Url | None, Optional] = None
    image_alt: Annotated[Annotated[SingleLine, Field(max_length=300)] | None, Optional] = None
    tags: Tags = []
    language: Language = "en"
    byline: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    kicker: Annotated[Annotated[SingleLine, Field(max_length=100)] | None, Optional] = None
    image_caption: Annotated[Annotated[SingleLine, Field(max_length=500)] | None, Optional] = None
    image_credit: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    featured: Annotated[bool, BeforeValidator(lambda v: v or False)] = False  # a form's unticked box: ""


class SectionDraft(_Draft):
    """A section of an issue: an optional title and its items, by id, in order."""

    title: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    item_ids: Annotated[list[RowId], Field(max_length=200)] = []


class IssueFields(_Draft):
    """The front matter of an issue."""

    title: Annotated[SingleLine, Field(max_length=200)]
    date: dt.date
    subject: Annotated[Annotated[SingleLine, Field(max_length=250)] | None, Optional] = None
    preheader: Annotated[Annotated[SingleLine, Field(max_length=250)] | None, Optional] = None
    intro: Annotated[Annotated[Paragraphs, Field(max_length=2000)] | None, Optional] = None
    language: Language = "en"
    format: Annotated[Literal["items", "article"], BeforeValidator(lambda v: v or "items")] = "items"
    dateline: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    byline: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    body: Annotated[Annotated[Paragraphs, Field(max_length=60_000)] | None, Optional] = None
    cta_text: Annotated[Annotated[Paragraphs, Field(max_length=500)] | None, Optional] = None
    cta_button: Annotated[Annotated[SingleLine, Field(max_length=40)] | None, Optional] = None
    cta_url: Annotated[Annotated[Url, AfterValidator(check_https)] | None, Optional] = None
    cta_position: Annotated[Literal["after_intro", "after_section", "end"] | None, Optional] = None
    cta_section: Annotated[Annotated[int, Field(ge=1, le=50)] | None, Optional] = None
    editions: Editions = []  # the other languages it goes out in
    phrases: Overrides = {}  # fixed phrases overridden: {"read_more": "Continue reading"}

    @model_validator(mode="after")
    def _editions_besides_main(self) -> "IssueFields":
        if self.language in self.editions:
            raise ValueError(f"editions: {self.language} is the main language, not another edition")
        return self


class IssueTranslationDraft(_Draft):
    """An issue's front matter in one edition's language; a blank field keeps the main one's."""

    title: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    subject: Annotated[Annotated[SingleLine, Field(max_length=250)] | None, Optional] = None
    preheader: Annotated[Annotated[SingleLine, Field(max_length=250)] | None, Optional] = None
    intro: Annotated[Annotated[Paragraphs, Field(max_length=2000)] | None, Optional] = None
    body: Annotated[Annotated[Paragraphs, Field(max_length=60_000)] | None, Optional] = None
    dateline: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    byline: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None
    cta_text: Annotated[Annotated[Paragraphs, Field(max_length=500)] | None, Optional] = None
    cta_button: Annotated[Annotated[SingleLine, Field(max_length=40)] | None, Optional] = None
    cta_url: Annotated[Annotated[Url, AfterValidator(check_https)] | None, Optional] = None
    section_titles: Annotated[dict[SectionTitle, SectionTitle], BeforeValidator(_given_titles), Field(
        max_length=50, description="Each section's title in this language, keyed by its title in the main one.")] = {}
    phrases: Overrides = {}


class ItemTranslationDraft(_Draft):
    """An item in one edition's language; a blank field keeps the item's own."""

    headline: Annotated[Annotated[SingleLine, Field(max_length=300)] | None, Optional] = None
    blurb: Annotated[Annotated[Paragraphs, Field(max_length=3000)] | None, Optional] = None
    url: Annotated[Url | None, Optional] = None
    image_alt: Annotated[Annotated[SingleLine, Field(max_length=300)] | None, Optional] = None
    kicker: Annotated[Annotated[SingleLine, Field(max_length=100)] | None, Optional] = None
    image_caption: Annotated[Annotated[SingleLine, Field(max_length=500)] | None, Optional] = None
    image_credit: Annotated[Annotated[SingleLine, Field(max_length=200)] | None, Optional] = None


class IssueDraft(IssueFields):
    """A whole issue as the composer saves it: ``version`` is the one the edit started from."""

    version: Version
    sections: Annotated[list[SectionDraft], Field(max_length=50)]
    # The front matter of each edition; None (left out) keeps what is stored.
    translations: dict[LanguageTag, IssueTranslationDraft] | None = Field(
        default=None, description="Each edition's front matter, whole, like the rest of the issue: a field "
                                  "left out is cleared (send back what GET gave). None leaves them as they are.")

    @model_validator(mode="after")
    def _translations_of_editions(self) -> "IssueDraft":
        if stray := set(self.translations or {}) - set(self.editions):
            raise ValueError(f"translations: {', '.join(sorted(stray))} is not among the editions")
        return self
