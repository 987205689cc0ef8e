"""Pre-flight checks of an issue's language editions: pure functions over its content.

An item with no translation into an edition goes out in the main language in that edition: a
warning, since that may be meant (a story only in English); so do a translated item's image alt
text, kicker or caption, the call to action's words, a section title and an article's dateline
that the edition leaves untranslated. An edition that translates the subject but none of the
items would promise readers their language and give them another: an error, as is a merge tag
left in a translation. Each edition must fit under Gmail's clipping size like the main one.
"""

from newsletter.content.editions import (
    untranslated_front,
    untranslated_items,
    untranslated_parts,
    untranslated_section_titles,
)
from newsletter.content.models import IssueContent, IssueTranslation
from newsletter.content.phrases import language_name
from newsletter.editorial.preflight import (
    GMAIL_CLIP_BYTES,
    Finding,
    _leftover_tags,
    _leftovers,
    _short,
)

PART_NAMES = {"image_alt": "image alt text", "kicker": "kicker", "image_caption": "image caption"}


def edition_findings(content: IssueContent, item_ids: list[int], sizes: dict[str, int]) -> list[Finding]:
    """What is missing or wrong in each edition of ``content``, errors first. ``item_ids`` are
    the ids of ``content.items`` in order; ``sizes`` the rendered HTML size of each edition."""
    found = []
    main = language_name(content.language, "en")
    for language in content.editions:
        name = f"The {language_name(language, 'en')} ({language}) edition"
        untranslated = untranslated_items(content, language)
        front = content.translations.get(language)
        if front and front.subject and content.items and len(untranslated) == len(content.items):
            found.append(Finding("error", f"{name} has a subject but none of its items is translated: "
                                          "translate them, or remove the edition."))
        if content.format == "article" and not (front and front.body):
            found.append(Finding("warning", f"The article has no translation in {name[4:]}: it goes out in "
                                            f"{main} there."))
        found += _front_parts(content, language, name[4:], main)
        if front and (tags := _leftover_tags(*_front_texts(front))):
            found.append(_leftovers(f"the {language} front matter", tags))
        for position, item in enumerate(content.items):
            translation = item.translations.get(language)
            if translation and (tags := _leftover_tags(translation.headline, translation.blurb, translation.image_alt,
                                                       translation.kicker, translation.image_caption,
                                                       translation.image_credit)):
                found.append(_leftovers(f"the {language} translation of “{_short(item.headline)}”", tags,
                                        item_ids[position]))
        for position in untranslated:
            item = content.items[position]
            found.append(Finding("warning", f"“{_short(item.headline)}” has no translation in {name[4:]}: "
                                            f"it goes out in {main} there.", item_ids[position]))
        for position, parts in untranslated_parts(content, language).items():
            what = " or ".join(PART_NAMES[part] for part in parts)
            found.append(Finding("warning", f"“{_short(content.items[position].headline)}” has no {what} in "
                                            f"{name[4:]}: the {main} is used there.", item_ids[position]))
        if sizes.get(language, 0) > GMAIL_CLIP_BYTES:
            found.append(Finding("error", f"{name} is {sizes[language] / 1000:.1f} KB: Gmail clips messages over "
                                          f"{GMAIL_CLIP_BYTES // 1000} KB. Shorten it."))
    return sorted(found, key=lambda f: f.level != "error")


def _front_parts(content: IssueContent, language: str, edition: str, main: str) -> list[Finding]:
    """Warnings of the call to action's words, the section titles and an article's dateline
    that edition ``language`` leaves in the main language."""
    found = []
    front = content.translations.get(language)
    missing = untranslated_front(content, language)
    if lacking := [label for name, label in (("cta_text", "text"), ("cta_button", "button label")) if name in missing]:
        found.append(Finding("warning", f"The call to action's {' and '.join(lacking)} "
                                        f"{'have' if len(lacking) > 1 else 'has'} no translation in {edition}: "
                                        f"the {main} is used there."))
    if titles := untranslated_section_titles(content, language):
        found.append(Finding("warning", f"The section title{'s' if len(titles) > 1 else ''} "
                                        f"{', '.join(f'“{t}”' for t in titles)} "
                                        f"{'have' if len(titles) > 1 else 'has'} no translation in {edition}: "
                                        f"the {main} is used there."))
    if content.format == "article" and content.dateline and front and front.body and not front.dateline:
        found.append(Finding("warning", f"The article's dateline has no translation in {edition}: the {main} is "
                                        "used there."))
    return found


def _front_texts(front: IssueTranslation) -> list[str | None]:
    cta = front.call_to_action
    return [front.title, front.subject, front.preheader, front.intro, front.body, front.dateline, front.byline,
            cta and cta.text, cta and cta.button, *front.section_titles.values()]
