"""The fixed words of an issue in each edition's language, and its dates.

The email's footer and links carry a few fixed phrases ("Read more", "Unsubscribe"...). They
come from :data:`CATALOGUE` for the edition's language (English for a language it lacks),
and an editor can override any of them for one issue (``phrases: {read_more: Continue
reading}``). A phrase may name values in braces (``{email}``); an override may use those
names and no others, so it cannot break the sentence it replaces. Dates are written by Babel
in the language's own long form ("29 de diciembre de 2023").
"""

import datetime as dt
import string
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

DEFAULT_LANGUAGE = "en"

#: Every phrase, by language, then by key. ``en`` has every key; others fall back to it.
CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hi {name},",
        "read_more": "Read more",
        "view_in_browser": "View this issue in your browser",
        "unsubscribe": "Unsubscribe",
        "receiving": "You are receiving {newsletter} because you subscribed as {email}.",
        "all_issues": "All past issues",
        "byline": "By {name}",
        "other_languages": "This issue in other languages",
    },
    "es": {
        "greeting": "Hola, {name}:",
        "read_more": "Leer más",
        "view_in_browser": "Ver este número en el navegador",
        "unsubscribe": "Darse de baja",
        "receiving": "Recibes {newsletter} porque te suscribiste como {email}.",
        "all_issues": "Todos los números anteriores",
        "byline": "Por {name}",
        "other_languages": "Este número en otros idiomas",
    },
    "fr": {
        "greeting": "Bonjour {name},",
        "read_more": "Lire la suite",
        "view_in_browser": "Voir ce numéro dans votre navigateur",
        "unsubscribe": "Se désabonner",
        "receiving": "Vous recevez {newsletter} car vous vous êtes abonné avec l’adresse {email}.",
        "all_issues": "Tous les numéros précédents",
        "byline": "Par {name}",
        "other_languages": "Ce numéro dans d’autres langues",
    },
    "ar": {
        "greeting": "مرحبًا {name}،",
        "read_more": "اقرأ المزيد",
        "view_in_browser": "اعرض هذا العدد في المتصفح",
        "unsubscribe": "إلغاء الاشتراك",
        "receiving": "تصلك {newsletter} لأنك اشتركت بالعنوان {email}.",
        "all_issues": "كل الأعداد السابقة",
        "byline": "بقلم {name}",
        "other_languages": "هذا العدد بلغات أخرى",
    },
    "de": {
        "greeting": "Hallo {name},",
        "read_more": "Weiterlesen",
        "view_in_browser": "Diese Ausgabe im Browser ansehen",
        "unsubscribe": "Abbestellen",
        "receiving": "Sie erhalten {newsletter}, weil Sie sich mit {email} angemeldet haben.",
        "all_issues": "Alle früheren Ausgaben",
        "byline": "Von {name}",
        "other_languages": "Diese Ausgabe in anderen Sprachen",
    },
    "pt": {
        "greeting": "Olá, {name},",
        "read_more": "Leia mais",
        "view_in_browser": "Ver esta edição no navegador",
        "unsubscribe": "Cancelar a inscrição",
        "receiving": "Você recebe {newsletter} porque se inscreveu como {email}.",
        "all_issues": "Todas as edições anteriores",
        "byline": "Por {name}",
        "other_languages": "Esta edição em outros idiomas",
    },
}
PHRASE_KEYS = tuple(CATALOGUE[DEFAULT_LANGUAGE])
#: What a reader whose name we do not know is called in the greeting ("Hi there,"), by language.
UNNAMED_READER = {"en": "there", "es": "lector", "fr": "à vous", "ar": "بك", "de": "zusammen", "pt": "leitor"}


def primary(language: str) -> str:
    """The primary subtag of a language tag, lower-cased: ``pt-BR`` -> ``pt``."""
    return language.split("-")[0].lower()


def phrases(language: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every phrase in ``language`` (its own catalogue, else its primary language's, else
    English, key by key), with the issue's ``overrides`` on top."""
    found = {**CATALOGUE[DEFAULT_LANGUAGE], **CATALOGUE.get(primary(language), {}),
             **CATALOGUE.get(language.lower(), {})}
    return {**found, **(overrides or {})}


def unnamed_reader(language: str | None) -> str:
    """The greeting's name for a reader of ``language`` whose name we do not know."""
    return UNNAMED_READER.get(primary(language or DEFAULT_LANGUAGE), UNNAMED_READER[DEFAULT_LANGUAGE])


def check_override(key: str, text: str) -> str:
    """``text`` if it can replace phrase ``key``: a known key, and braces naming only the
    values the phrase has. ValueError otherwise, saying what is wrong."""
    if key not in PHRASE_KEYS:
        raise ValueError(f"{key!r} is not a phrase (known: {', '.join(PHRASE_KEYS)})")
    allowed = _names(CATALOGUE[DEFAULT_LANGUAGE][key])
    try:
        names = _names(text)
    except ValueError as err:
        raise ValueError(f"phrase {key!r} has unbalanced braces ({err})") from None
    if unknown := names - allowed:
        can = f"it can use {', '.join('{' + n + '}' for n in sorted(allowed))}" if allowed else "it takes none"
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
