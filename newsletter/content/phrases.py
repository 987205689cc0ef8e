"""The fixed words of an issue and of the public site in each language, and its dates.

The email's footer and links carry a few fixed phrases ("Read more", "Unsubscribe"...). They
come from :data:`CATALOGUE` for the edition's language (English for a language it lacks),
and an editor can override any of them for one issue (``phrases: {read_more: Continue
reading}``). A phrase may name values in braces (``{email}``); an override may use those
names and no others, each alone in its braces (no format, conversion, attribute or index), so
it cannot break the sentence it replaces nor make it grow. The site's own words
(``site_words.py``: the archive's around the issues, "Past issues", "Skip to content"..., and
those of a reader's unsubscribe and preferences pages; :data:`SITE_KEYS`) belong to no issue
and are not overridden. Dates are written by Babel in the language's own long form ("29 de
diciembre de 2023").
"""

import datetime as dt
import string
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from newsletter.content.site_words import SITE_WORDS

DEFAULT_LANGUAGE = "en"

#: The phrases an issue prints (email, text part, web version), by language, then by key.
_ISSUE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hi {name},",
        "read_more": "Read more",
        "view_in_browser": "View this issue in your browser",
        "unsubscribe": "Unsubscribe",
        "preferences": "Manage your preferences",
        "receiving": "You are receiving {newsletter} because you subscribed as {email}.",
        "all_issues": "All past issues",
        "byline": "By {name}",
        "other_languages": "This issue in other languages",
        "photo": "Photo: {caption}",
        "notes": "Notes",
        "back_to_reference": "Back to reference {n}",
        "call_to_action": "Call to action",
    },
    "es": {
        "greeting": "Hola, {name}:",
        "read_more": "Leer más",
        "view_in_browser": "Ver este número en el navegador",
        "unsubscribe": "Darse de baja",
        "preferences": "Gestionar tus preferencias",
        "receiving": "Recibes {newsletter} porque te suscribiste como {email}.",
        "all_issues": "Todos los números anteriores",
        "byline": "Por {name}",
        "other_languages": "Este número en otros idiomas",
        "photo": "Foto: {caption}",
        "notes": "Notas",
        "back_to_reference": "Volver a la referencia {n}",
        "call_to_action": "Llamada a la acción",
    },
    "fr": {
        "greeting": "Bonjour {name},",
        "read_more": "Lire la suite",
        "view_in_browser": "Voir ce numéro dans votre navigateur",
        "unsubscribe": "Se désabonner",
        "preferences": "Gérer vos préférences",
        "receiving": "Vous recevez {newsletter} car vous vous êtes abonné avec l’adresse {email}.",
        "all_issues": "Tous les numéros précédents",
        "byline": "Par {name}",
        "other_languages": "Ce numéro dans d’autres langues",
        "photo": "Photo : {caption}",
        "notes": "Notes",
        "back_to_reference": "Retour à l’appel de note {n}",
        "call_to_action": "Appel à l’action",
    },
    "ar": {
        "greeting": "مرحبًا {name}،",
        "read_more": "اقرأ المزيد",
        "view_in_browser": "اعرض هذا العدد في المتصفح",
        "unsubscribe": "إلغاء الاشتراك",
        "preferences": "إدارة تفضيلاتك",
        "receiving": "تصلك {newsletter} لأنك اشتركت بالعنوان {email}.",
        "all_issues": "كل الأعداد السابقة",
        "byline": "بقلم {name}",
        "other_languages": "هذا العدد بلغات أخرى",
        "photo": "صورة: {caption}",
        "notes": "ملاحظات",
        "back_to_reference": "العودة إلى الإحالة {n}",
        "call_to_action": "دعوة إلى العمل",
    },
    "de": {
        "greeting": "Hallo {name},",
        "read_more": "Weiterlesen",
        "view_in_browser": "Diese Ausgabe im Browser ansehen",
        "unsubscribe": "Abbestellen",
        "preferences": "Einstellungen verwalten",
        "receiving": "Sie erhalten {newsletter}, weil Sie sich mit {email} angemeldet haben.",
        "all_issues": "Alle früheren Ausgaben",
        "byline": "Von {name}",
        "other_languages": "Diese Ausgabe in anderen Sprachen",
        "photo": "Foto: {caption}",
        "notes": "Anmerkungen",
        "back_to_reference": "Zurück zu Verweis {n}",
        "call_to_action": "Aufruf zum Handeln",
    },
    "pt": {
        "greeting": "Olá, {name},",
        "read_more": "Leia mais",
        "view_in_browser": "Ver esta edição no navegador",
        "unsubscribe": "Cancelar a inscrição",
        "preferences": "Gerenciar suas preferências",
        "receiving": "Você recebe {newsletter} porque se inscreveu como {email}.",
        "all_issues": "Todas as edições anteriores",
        "byline": "Por {name}",
        "other_languages": "Esta edição em outros idiomas",
        "photo": "Foto: {caption}",
        "notes": "Notas",
        "back_to_reference": "Voltar à referência {n}",
        "call_to_action": "Chamada para ação",
    },
}
#: Every phrase, by language, then by key: an issue's and the site's. Each language has every
#: key; English stands in for a language the catalogue lacks.
CATALOGUE = {language: {**words, **SITE_WORDS[language]} for language, words in _ISSUE_WORDS.items()}
#: The site's own words (site_words.py: the archive's, a reader's own pages'), not any one issue's.
SITE_KEYS = tuple(SITE_WORDS[DEFAULT_LANGUAGE])
#: The phrases an issue prints: an issue may override each.
PHRASE_KEYS = tuple(_ISSUE_WORDS[DEFAULT_LANGUAGE])
#: What a reader whose name we do not know is called in the greeting ("Hi there,"), by language.
UNNAMED_READER = {"en": "there", "es": "lector", "fr": "à vous", "ar": "بك", "de": "zusammen", "pt": "leitor"}


def primary(language: str) -> str:
    """The primary subtag of a language tag, lower-cased: ``pt-BR`` -> ``pt``."""
    return language.split("-")[0].lower()


def catalogue_language(language: str | None) -> str:
    """The catalogue's language for a reader of ``language``: itself, else its primary language
    (``es-MX`` -> ``es``), else English (a language the catalogue lacks, or none)."""
    tag = (language or DEFAULT_LANGUAGE).lower()
    return next((found for found in (tag, primary(tag)) if found in CATALOGUE), DEFAULT_LANGUAGE)


def phrases(language: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every phrase an issue prints, in ``language`` (its own catalogue, else its primary
    language's, else English, key by key), with the issue's ``overrides`` on top."""
    found = _catalogue(language)
    return {**{key: found[key] for key in PHRASE_KEYS}, **(overrides or {})}


def site_phrases(language: str) -> dict[str, str]:
    """The site's own words (:data:`SITE_KEYS`) in ``language``, as :func:`phrases` finds them."""
    found = _catalogue(language)
    return {key: found[key] for key in SITE_KEYS}


def _catalogue(language: str) -> dict[str, str]:
    return {**CATALOGUE[DEFAULT_LANGUAGE], **CATALOGUE.get(primary(language), {}),
            **CATALOGUE.get(language.lower(), {})}


def unnamed_reader(language: str | None) -> str:
    """The greeting's name for a reader of ``language`` whose name we do not know."""
    return UNNAMED_READER.get(primary(language or DEFAULT_LANGUAGE), UNNAMED_READER[DEFAULT_LANGUAGE])


def check_override(key: str, text: str) -> str:
    """``text`` if it can replace phrase ``key``: a known key, and braces naming only the
    values the phrase has, each alone (``{name}``, never ``{name:>9999}``, ``{name!r}``,
    ``{name.attr}`` or ``{name[0]}``). ValueError otherwise, saying what is wrong."""
    if key not in PHRASE_KEYS:
        raise ValueError(f"{key!r} is not a phrase (known: {', '.join(PHRASE_KEYS)})")
    allowed = _names(CATALOGUE[DEFAULT_LANGUAGE][key])
    can = f"it can use {', '.join('{' + n + '}' for n in sorted(allowed))}" if allowed else "it takes none"
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError as err:
        raise ValueError(f"phrase {key!r} has unbalanced braces ({err})") from None
    for name, spec, conversion in fields:
        if spec or conversion or not name.isidentifier():
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"phrase {key!r} has {written[:40]}: braces hold a name alone, with no format, "
                             f"conversion, attribute or index ({can})")
    if unknown := {name for name, _, _ in fields} - allowed:
        raise ValueError(f"phrase {key!r} names {', '.join(sorted(unknown))}, which {can}")
    return text


def long_date(date: dt.date, language: str) -> str:
    """``date`` written out in ``language``: 29 December 2023, 29 de diciembre de 2023."""
    if primary(language) == "en":
        return f"{date.day} {date:%B %Y}"  # British order, as issues always had
    try:
        return format_date(date, format="long", locale=Locale.parse(language, sep="-"))
    except (UnknownLocaleError, ValueError):
        return f"{date.day} {date:%B %Y}"


def language_name(language: str, in_language: str | None = None) -> str:
    """The language's name in itself (``español``, ``العربية``), or in ``in_language``
    (``Spanish``); the tag itself if Babel does not know it."""
    try:
        name = Locale.parse(language, sep="-").get_display_name((in_language or language).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return language
    return name or language


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
