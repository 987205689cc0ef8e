"""The content of an issue, as editors write it: validated, immutable, database-free.

``IssueContent`` is what the renderer takes. It is built from an issue file
(:mod:`newsletter.content.issue_file`) or from the database (:mod:`newsletter.editorial`).
"""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from newsletter.content.phrases import check_override, long_date
from newsletter.content.safety import check_https, check_text, check_url

SingleLine = Annotated[str, AfterValidator(check_text)]
Paragraphs = Annotated[str, AfterValidator(lambda v: check_text(v, multiline=True))]
Url = Annotated[str, Field(max_length=2000), AfterValidator(check_url)]  # the links' columns: String(2000)

#: The largest INTEGER the database stores (32 bits on PostgreSQL): no id or version is
#: larger, and a larger number would fail in the database instead of being refused here.
MAX_DB_INT = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
Version = Annotated[int, Field(ge=0, le=MAX_DB_INT)]
LanguageTag = Annotated[str, Field(max_length=20, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")]

RTL_LANGUAGES = frozenset({"ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"})


def text_direction(language: str) -> str:
    """``rtl`` for a language written right to left (Arabic, Hebrew, Persian, Urdu...), else ``ltr``."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def issue_slug(title: str, date: dt.date) -> str:
    """The URL name of an issue: ``2023-12-29-the-weekly-brief``."""
    words = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")
    return f"{date.isoformat()}-{words or 'issue'}"[:120]


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _phrase_overrides(value: dict[str, str]) -> dict[str, str]:
    return {key: check_override(key, text) for key, text in value.items()}


Phrases = Annotated[dict[str, Annotated[SingleLine, Field(max_length=300)]], AfterValidator(_phrase_overrides)]


class ItemTranslation(_Content):
    """An item in another edition's language; what it leaves out stays as the main language has it."""

    headline: Annotated[SingleLine, Field(max_length=300)] | None = None
    blurb: Annotated[Paragraphs, Field(max_length=3000)] | None = None
    url: Url | None = None  # the story's page in that language, if it has one
    image_alt: Annotated[SingleLine, Field(max_length=300)] | None = None
    kicker: Annotated[SingleLine, Field(max_length=100)] | None = None
    image_caption: Annotated[SingleLine, Field(max_length=500)] | None = None
    image_credit: Annotated[SingleLine, Field(max_length=200)] | None = None


class CallToActionTranslation(_Content):
    """A call to action's sentence, button and link in another edition's language; what it
    leaves out, and where the call to action goes, stay as the main language has them."""

    text: Annotated[Paragraphs, Field(max_length=500)] | None = None
    button: Annotated[SingleLine, Field(max_length=40)] | None = None
    url: Annotated[Url, AfterValidator(check_https)] | None = None  # a page in that language


SectionTitle = Annotated[SingleLine, Field(max_length=200)]


class IssueTranslation(_Content):
    """An issue's front matter in another edition's language, and that edition's phrases.

    ``section_titles`` are keyed by the main language's title (``{Asia: Asie}``), not by the
    section's position: a translation follows its section when sections are reordered or added,
    and a section whose title is rewritten shows as untranslated again, since what was
    translated is no longer what it says. Sections with the same title share a translation.
    """

    title: Annotated[SingleLine, Field(max_length=200)] | None = None
    subject: Annotated[SingleLine, Field(max_length=250)] | None = None
    preheader: Annotated[SingleLine, Field(max_length=250)] | None = None
    intro: Annotated[Paragraphs, Field(max_length=2000)] | None = None
    body: Annotated[Paragraphs, Field(max_length=60_000)] | None = None  # a single article's, in Markdown
    dateline: Annotated[SingleLine, Field(max_length=200)] | None = None  # a single article's
    byline: Annotated[SingleLine, Field(max_length=200)] | None = None  # a single article's
    call_to_action: CallToActionTranslation | None = None
    section_titles: Annotated[dict[SectionTitle, SectionTitle], Field(max_length=50)] = {}  # {main title: its own}
    phrases: Phrases = {}


class ItemContent(_Content):
    """One curated item: a headline, a short blurb and a "Read more" link."""

    headline: Annotated[SingleLine, Field(max_length=300)]
    blurb: Annotated[Paragraphs, Field(max_length=3000)]
    url: Url
    source: Annotated[SingleLine, Field(max_length=200)] | None = None
    image: Url | None = None
    image_alt: Annotated[SingleLine, Field(max_length=300)] | None = None
    byline: Annotated[SingleLine, Field(max_length=200)] | None = None  # the author: "Benedict Rogers"
    kicker: Annotated[SingleLine, Field(max_length=100)] | None = None  # region, country or category
    image_caption: Annotated[SingleLine, Field(max_length=500)] | None = None
    image_credit: Annotated[SingleLine, Field(max_length=200)] | None = None  # "© 2016 Reuters"
    featured: bool = False  # a larger treatment, the image first
    translations: dict[LanguageTag, ItemTranslation] = {}  # by edition language

    @model_validator(mode="after")
    def _image_needs_alt(self) -> "ItemContent":
        if self.image and not self.image_alt:
            raise ValueError("image_alt is required when image is set (screen readers read it)")
        return self


class SectionContent(_Content):
    """A titled run of items. An issue without sections has one untitled section."""

    title: Annotated[SingleLine, Field(max_length=200)] | None = None
    items: Annotated[list[ItemContent], Field(min_length=1)]


class CallToAction(_Content):
    """A sentence and a button (a donation appeal, say): after the intro, after section
    ``section``, or at the end, before the footer."""

    text: Annotated[Paragraphs, Field(max_length=500)]
    button: Annotated[SingleLine, Field(max_length=40)]
    url: Annotated[Url, AfterValidator(check_https)]
    position: Literal["after_intro", "after_section", "end"] = "end"
    section: Annotated[int, Field(ge=1, le=50)] | None = None

    @model_validator(mode="after")
    def _section_when_between(self) -> "CallToAction":
        if (self.position == "after_section") != (self.section is not None):
            raise ValueError("give section (its number) with position after_section, and only then")
        return self


class IssueContent(_Content):
    """A whole issue: title, date, intro and its sections of items; or, as ``format:
    article``, one article (dateline, byline and a Markdown body) sent as a whole."""

    title: Annotated[SingleLine, Field(max_length=200)]
    date: dt.date
    subject: Annotated[SingleLine, Field(max_length=250)] | None = None
    preheader: Annotated[SingleLine, Field(max_length=250)] | None = None
    intro: Annotated[Paragraphs, Field(max_length=2000)] | None = None
    language: LanguageTag = "en"
    editions: Annotated[list[LanguageTag], Field(max_length=20)] = []  # other languages it goes out in
    translations: dict[LanguageTag, IssueTranslation] = {}  # by edition language
    phrases: Phrases = {}  # fixed phrases overridden for this issue: {read_more: Continue reading}
    format: Literal["items", "article"] = "items"
    dateline: Annotated[SingleLine, Field(max_length=200)] | None = None  # "GENEVA, 3 December 2026"
    byline: Annotated[SingleLine, Field(max_length=200)] | None = None
    body: Annotated[Paragraphs, Field(max_length=60_000)] | None = None  # Markdown, with [^1] footnotes
    call_to_action: CallToAction | None = None
    sections: list[SectionContent] = []

    @model_validator(mode="before")
    @classmethod
    def _items_shorthand(cls, data: Any) -> Any:
        """Accept ``items: [...]`` as one untitled section."""
        if isinstance(data, dict) and "items" in data:
            if "sections" in data:
                raise ValueError("give either items or sections, not both")
            data = dict(data)
            data["sections"] = [{"items": data.pop("items")}]
        return data

    @model_validator(mode="after")
    def _shape_has_its_content(self) -> "IssueContent":
        if self.format == "article" and (not self.body or self.sections):
            raise ValueError("an article (format: article) has a body and no items")
        if self.format == "items" and not self.sections:
            raise ValueError("sections: an issue needs at least one section of items")
        cta = self.call_to_action
        if cta and cta.section is not None and cta.section > len(self.sections):
            raise ValueError(f"call_to_action.section: there is no section {cta.section} "
                             f"(the issue has {len(self.sections)})")
        return self

    @model_validator(mode="after")
    def _translations_match_editions(self) -> "IssueContent":
        if self.language in self.editions or len(set(self.editions)) != len(self.editions):
            raise ValueError("editions: list each language once, not the main language")
        known = set(self.editions)
        stray = set(self.translations).union(*(item.translations for item in self.items)) - known
        if stray:
            raise ValueError(f"translations: {', '.join(sorted(stray))} is not among the editions "
                             f"({', '.join(self.editions) or 'none'}); add it to editions")
        titles = {section.title for section in self.sections}
        for language, translation in self.translations.items():
            if unknown := [title for title in translation.section_titles if title not in titles]:
                raise ValueError(f"translations.{language}.section_titles: {unknown[0]!r} is not the title of "
                                 "a section (key each translation by the section's title in the main language)")
            if translation.call_to_action and not self.call_to_action:
                raise ValueError(f"translations.{language}.call_to_action: the issue has no call_to_action "
                                 "to translate")
        return self

    @property
    def effective_subject(self) -> str:
        """The subject line: the one given, or "<title>: <day month year>" (the date written in
        the issue's language: "29 de diciembre de 2023")."""
        return self.subject or f"{self.title}: {long_date(self.date, self.language)}"

    @property
    def effective_preheader(self) -> str:
        """The inbox preview text: the one given, or the intro's first line."""
        if self.preheader:
            return self.preheader
        return self.intro.splitlines()[0] if self.intro else ""

    @property
    def items(self) -> list[ItemContent]:
        """Every item of the issue in reading order."""
        return [item for section in self.sections for item in section.items]

    @property
    def slug(self) -> str:
        """A stable URL name for the web archive: ``2023-12-29-the-weekly-brief``."""
        return issue_slug(self.title, self.date)

    @property
    def direction(self) -> str:
        """``rtl`` for right-to-left languages, else ``ltr``."""
        return text_direction(self.language)
