"""Language editions: one issue in its main language and in each of its editions' languages.

An edition is the issue with its translations laid over it: the front matter and each item
take what the translation gives, and keep the main language's text for whatever it leaves
out (an item nobody translated goes out as it is). Subscribers get the edition of their
language, or the main one (chosen when a send freezes its recipients: sending/freeze.py).
"""

from newsletter.content.models import (
    CallToAction,
    CallToActionTranslation,
    IssueContent,
    IssueTranslation,
    ItemContent,
)

FRONT_TO_TRANSLATE = ("title", "subject", "preheader", "intro")
ARTICLE_TO_TRANSLATE = ("body", "dateline")  # shown only in a single article
ITEM_PARTS_TO_TRANSLATE = ("image_alt", "kicker", "image_caption")  # the image's only with an image


def edition_languages(content: IssueContent) -> list[str]:
    """The issue's languages: the main one first, then its editions in the order given."""
    return [content.language, *content.editions]


def edition_content(content: IssueContent, language: str) -> IssueContent:
    """The issue as edition ``language`` reads it (the main language: the issue itself).

    The result is in that language (``language``), with the edition's phrases and no
    translations or editions of its own; its subject, when the translation gives none, is its
    title and its date written in that language.
    """
    if language == content.language:
        return content
    if language not in content.editions:
        raise ValueError(f"{language} is not an edition of this issue ({', '.join(content.editions) or 'none'})")
    front = content.translations.get(language) or IssueTranslation()
    values = {
        "title": front.title or content.title,
        "subject": front.subject,  # None: the title and the date in that language
        "preheader": front.preheader or content.preheader,
        "intro": front.intro or content.intro,
        "body": front.body or content.body,
        "dateline": front.dateline or content.dateline,
        "byline": front.byline or content.byline,
        "call_to_action": _call_to_action_in(content.call_to_action, front.call_to_action),
        "phrases": front.phrases,
        "language": language,
        "editions": [],
        "translations": {},
        "sections": [
            section.model_copy(update={"title": front.section_titles.get(section.title, section.title),
                                       "items": [_item_in(item, language) for item in section.items]})
            for section in content.sections
        ],
    }
    return content.model_copy(update=values)


def _call_to_action_in(cta: CallToAction | None, translation: CallToActionTranslation | None) -> CallToAction | None:
    if cta is None or translation is None:
        return cta
    return cta.model_copy(update={k: v for k, v in translation.model_dump().items() if v is not None})


def _item_in(item: ItemContent, language: str) -> ItemContent:
    translation = item.translations.get(language)
    if translation is None:
        return item.model_copy(update={"translations": {}})
    given = {k: v for k, v in translation.model_dump().items() if v is not None}
    return item.model_copy(update={**given, "translations": {}})


def untranslated_items(content: IssueContent, language: str) -> list[int]:
    """The positions (0-based, in reading order) of the items with no translation into edition
    ``language``: they go out in the main language."""
    return [n for n, item in enumerate(content.items) if language not in item.translations]


def untranslated_front(content: IssueContent, language: str) -> list[str]:
    """The front matter ``content`` has that edition ``language`` leaves untranslated, by the
    names drafts give it (``title``, ``cta_text``, ``section_titles``...), in form order. A
    byline (a name), the call to action's link and the phrases read the same untranslated: not listed."""
    front = content.translations.get(language) or IssueTranslation()
    names = FRONT_TO_TRANSLATE + (ARTICLE_TO_TRANSLATE if content.format == "article" else ())
    missing = [name for name in names if getattr(content, name) and not getattr(front, name)]
    if cta := content.call_to_action:
        said = front.call_to_action or CallToActionTranslation()
        missing += [f"cta_{name}" for name in ("text", "button") if getattr(cta, name) and not getattr(said, name)]
    if untranslated_section_titles(content, language):
        missing.append("section_titles")
    return missing


def untranslated_section_titles(content: IssueContent, language: str) -> list[str]:
    """The section titles (once each, in order) that edition ``language`` does not translate."""
    front = content.translations.get(language) or IssueTranslation()
    return list(dict.fromkeys(s.title for s in content.sections if s.title and s.title not in front.section_titles))


def untranslated_parts(content: IssueContent, language: str) -> dict[int, list[str]]:
    """For each item translated into edition ``language`` that leaves out a part the item has
    and a reader sees (its image's alt text and caption, its kicker): its position (0-based, in
    reading order) and those parts' names. An image credit ("© Reuters") reads the same."""
    parts = {}
    for n, item in enumerate(content.items):
        if (translation := item.translations.get(language)) is None:
            continue
        if lacking := [name for name in ITEM_PARTS_TO_TRANSLATE if getattr(item, name) and not getattr(translation, name)
                       and (item.image or name == "kicker")]:
            parts[n] = lacking
    return parts
