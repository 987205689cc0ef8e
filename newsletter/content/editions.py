"""Language editions: one issue in its main language and in each of its editions' languages.

An edition is the issue with its translations laid over it: the front matter and each item
take what the translation gives, and keep the main language's text for whatever it leaves
out (an item nobody translated goes out as it is). Subscribers get the edition of their
language, or the main one (chosen when a send freezes its recipients: sending/freeze.py).
"""

from newsletter.content.models import IssueContent, ItemContent


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
    front = content.translations.get(language)
    title = front.title if front and front.title else content.title
    values = {
        "title": title,
        "subject": front.subject if front else None,  # None: the title and the date in that language
        "preheader": (front.preheader if front else None) or content.preheader,
        "intro": (front.intro if front else None) or content.intro,
        "body": (front.body if front else None) or content.body,
        "phrases": front.phrases if front else {},
        "language": language,
        "editions": [],
        "translations": {},
        "sections": [
            section.model_copy(update={"items": [_item_in(item, language) for item in section.items]})
            for section in content.sections
        ],
    }
    return content.model_copy(update=values)


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
