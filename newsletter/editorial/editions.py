"""An issue's editions in the database: its translations stored from content, the composer or
the API, read back as content, and what each edition still lacks."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from newsletter.content.editions import untranslated_items
from newsletter.content.models import IssueContent, ItemContent
from newsletter.content.models import IssueTranslation as IssueTranslationContent
from newsletter.content.models import ItemTranslation as ItemTranslationContent
from newsletter.content.phrases import language_name, phrases
from newsletter.db.models import Issue, IssueTranslation, Item, ItemTranslation
from newsletter.editorial.drafts import ItemTranslationDraft
from newsletter.editorial.items import get_item, reopen_issues_of

ISSUE_FIELDS = ("title", "subject", "preheader", "intro", "body")
ITEM_FIELDS = ("headline", "blurb", "url", "image_alt")


def issue_translation_rows(content: IssueContent) -> list[IssueTranslation]:
    """The rows that store ``content``'s front-matter translations."""
    return [IssueTranslation(language=language, **translation.model_dump())
            for language, translation in content.translations.items()]


def item_translation_rows(item: ItemContent) -> list[ItemTranslation]:
    """The rows that store ``item``'s translations."""
    return [ItemTranslation(language=language, **translation.model_dump())
            for language, translation in item.translations.items()]


def issue_translations(issue: Issue) -> dict[str, dict[str, Any]]:
    """The issue's front-matter translations, by edition, as content fields (only its editions')."""
    return {row.language: {**_given(row, ISSUE_FIELDS), "phrases": dict(row.phrases or {})}
            for row in issue.translations if row.language in issue.editions}


def item_translations(item: Item, editions: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``item``'s translations into ``editions`` (an item may carry others, from another issue)."""
    wanted = set(editions)
    return {row.language: _given(row, ITEM_FIELDS) for row in item.translations if row.language in wanted}


def draft_issue_translations(issue: Issue) -> dict[str, IssueTranslationContent]:
    """:func:`issue_translations` as unvalidated content, for a draft (editorial/preview.py)."""
    return {language: IssueTranslationContent.model_construct(**fields)
            for language, fields in issue_translations(issue).items()}


def draft_item_translations(item: Item, editions: Iterable[str]) -> dict[str, ItemTranslationContent]:
    """:func:`item_translations` as unvalidated content, for a draft (editorial/preview.py)."""
    return {language: ItemTranslationContent.model_construct(**fields)
            for language, fields in item_translations(item, editions).items()}


def set_item_translations(item: Item, translations: dict[str, dict[str, Any]]) -> None:
    """Make ``item``'s translations into the languages of ``translations`` these (an empty one
    removes that language's); its translations into other languages stay."""
    kept = [row for row in item.translations if row.language not in translations]
    item.translations = kept + [ItemTranslation(language=language, **fields)
                                for language, fields in translations.items() if any(fields.values())]


def set_issue_translations(issue: Issue, translations: dict[str, dict[str, Any]]) -> None:
    """Make ``issue``'s front-matter translations these (languages left out are removed)."""
    issue.translations = [IssueTranslation(language=language, **fields)
                          for language, fields in translations.items() if any(fields.values())]


@dataclass(frozen=True)
class EditionStatus:
    """What an edition of an issue has and lacks, for the composer's tabs."""

    language: str
    name: str  # the language's name in itself: "español"
    main: bool
    missing_front: list[str]  # front-matter fields with no translation (title, subject...)
    untranslated: list[int]  # positions of the items that go out in the main language
    overrides: dict[str, str]  # the fixed phrases this edition overrides
    defaults: dict[str, str]  # every fixed phrase as the catalogue words it in this language


def edition_statuses(content: IssueContent) -> list[EditionStatus]:
    """Each edition of ``content``, the main one first, with what it lacks."""
    statuses = [EditionStatus(content.language, language_name(content.language), True, [], [],
                              dict(content.phrases), phrases(content.language))]
    for language in content.editions:
        front = content.translations.get(language)
        missing = [name for name in ISSUE_FIELDS if getattr(content, name) and not (front and getattr(front, name))]
        statuses.append(EditionStatus(language, language_name(language), False, missing,
                                      untranslated_items(content, language),
                                      dict(front.phrases) if front else {}, phrases(language)))
    return statuses


def _given(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields if getattr(row, name)}


def translate_item(*, session: Session, item_id: int, language: str, draft: ItemTranslationDraft) -> Item:
    """Store item ``item_id`` in ``language`` (an all-blank ``draft`` removes that translation).
    Approved issues using it return to draft, as after any edit of the item."""
    item = get_item(session=session, item_id=item_id)
    set_item_translations(item, {language: draft.model_dump()})
    reopen_issues_of(session=session, item_id=item_id)
    session.flush()
    return item


def edition_names(issue: Issue) -> list[tuple[str, str]]:
    """(language, its name in itself) of each edition of ``issue``, the main one first."""
    return [(language, language_name(language)) for language in [issue.language, *issue.editions]]
