"""An issue's editions in the database: its translations stored from content, the composer or
the API, read back as content, and what each edition still lacks."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from newsletter.content.editions import untranslated_front, untranslated_items, untranslated_parts
from newsletter.content.models import CallToActionTranslation, IssueContent, ItemContent
from newsletter.content.models import IssueTranslation as IssueTranslationContent
from newsletter.content.models import ItemTranslation as ItemTranslationContent
from newsletter.content.phrases import language_name, phrases
from newsletter.db.models import Issue, IssueTranslation, Item, ItemTranslation
from newsletter.editorial.drafts import ItemTranslationDraft
from newsletter.editorial.items import get_item, reopen_issues_of

ISSUE_FIELDS = ("title", "subject", "preheader", "intro", "body", "dateline", "byline", "cta_text", "cta_button",
                "cta_url")  # as stored and as drafts name them; content has the cta_* as one call_to_action
ITEM_FIELDS = ("headline", "blurb", "url", "image_alt", "kicker", "image_caption", "image_credit")
CTA_FIELDS = ("text", "button", "url")


def issue_translation_rows(content: IssueContent) -> list[IssueTranslation]:
    """The rows that store ``content``'s front-matter translations."""
    rows = []
    for language, translation in content.translations.items():
        cta = translation.call_to_action
        rows.append(IssueTranslation(language=language, **translation.model_dump(exclude={"call_to_action"}),
                                     **{f"cta_{name}": getattr(cta, name) if cta else None for name in CTA_FIELDS}))
    return rows


def item_translation_rows(item: ItemContent) -> list[ItemTranslation]:
    """The rows that store ``item``'s translations."""
    return [ItemTranslation(language=language, **translation.model_dump())
            for language, translation in item.translations.items()]


def issue_translations(issue: Issue) -> dict[str, dict[str, Any]]:
    """The issue's front-matter translations as stored, by edition, as drafts name their fields
    (only its editions')."""
    return {row.language: {**_given(row, ISSUE_FIELDS), "section_titles": dict(row.section_titles or {}),
                           "phrases": dict(row.phrases or {})}
            for row in issue.translations if row.language in issue.editions}


def content_translations(issue: Issue) -> dict[str, dict[str, Any]]:
    """:func:`issue_translations` as content fields (``issue``'s sections loaded): the call to
    action's as one, kept while the issue has a call to action, and the titles only of the
    sections it still has (a section renamed since leaves its old title's translation behind)."""
    has_cta = bool(issue.cta_text or issue.cta_button or issue.cta_url)
    titles = {section.title for section in issue.sections} if issue.format != "article" else set()
    translations = {}
    for language, fields in issue_translations(issue).items():
        cta = {name: fields.pop(f"cta_{name}", None) for name in CTA_FIELDS}
        fields["call_to_action"] = cta if has_cta and any(cta.values()) else None
        fields["section_titles"] = {k: v for k, v in fields["section_titles"].items() if k in titles}
        translations[language] = fields
    return translations


def item_translations(item: Item, editions: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``item``'s translations into ``editions`` (an item may carry others, from another issue)."""
    wanted = set(editions)
    return {row.language: _given(row, ITEM_FIELDS) for row in item.translations if row.language in wanted}


def draft_issue_translations(issue: Issue) -> dict[str, IssueTranslationContent]:
    """:func:`content_translations` as unvalidated content, for a draft (editorial/preview.py)."""
    drafts = {}
    for language, fields in content_translations(issue).items():
        cta = fields.pop("call_to_action")
        drafts[language] = IssueTranslationContent.model_construct(
            **fields, call_to_action=cta and CallToActionTranslation.model_construct(**cta))
    return drafts


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
    missing_front: list[str]  # front-matter fields with no translation (title, subject, cta_text, section_titles...)
    untranslated: list[int]  # positions of the items that go out in the main language
    incomplete: dict[int, list[str]]  # positions of translated items: the parts they leave out (image_alt...)
    overrides: dict[str, str]  # the fixed phrases this edition overrides
    defaults: dict[str, str]  # every fixed phrase as the catalogue words it in this language


def edition_statuses(content: IssueContent) -> list[EditionStatus]:
    """Each edition of ``content``, the main one first, with what it lacks."""
    statuses = [EditionStatus(content.language, language_name(content.language), True, [], [], {},
                              dict(content.phrases), phrases(content.language))]
    for language in content.editions:
        front = content.translations.get(language)
        statuses.append(EditionStatus(language, language_name(language), False, untranslated_front(content, language),
                                      untranslated_items(content, language), untranslated_parts(content, language),
                                      dict(front.phrases) if front else {}, phrases(language)))
    return statuses


def _given(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields if getattr(row, name)}


def translate_item(*, session: Session, item_id: int, language: str, draft: ItemTranslationDraft) -> Item:
    """Store item ``item_id`` in ``language``: each field ``draft`` carries replaces the stored
    one (blank clears it), and a field it leaves out stays as stored, so a form without a field
    (an image's alt text set from an issue file, say) never erases it. A translation left with
    no field is removed. Approved issues using it return to draft, as after any edit of the item."""
    item = get_item(session=session, item_id=item_id)
    stored = next((row for row in item.translations if row.language == language), None)
    fields = {**(_given(stored, ITEM_FIELDS) if stored else {}), **draft.model_dump(exclude_unset=True)}
    set_item_translations(item, {language: fields})
    reopen_issues_of(session=session, item_id=item_id)
    session.flush()
    return item


def edition_names(issue: Issue) -> list[tuple[str, str]]:
    """(language, its name in itself) of each edition of ``issue``, the main one first."""
    return [(language, language_name(language)) for language in [issue.language, *issue.editions]]
