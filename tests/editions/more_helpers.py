"""Issues whose every translatable part has a Spanish translation and none in French: a brief
of titled sections with a call to action and a photo, and a single article."""

from typing import Any

from tests.factories import issue_data, item

PHOTO = {"image": "https://example.org/photo.jpg", "image_alt": "Guards outside the compound",
         "image_caption": "A guard at the embassy gate.", "image_credit": "© 2016 Reuters"}
CTA = {"text": "Your gift can help stop abuses.", "button": "Donate", "url": "https://example.org/give"}
ITEM_ES = {"headline": "Titular 1", "kicker": "Corea del Norte", "image_alt": "Guardias ante el recinto",
           "image_caption": "Un guardia en la puerta.", "image_credit": "© 2016 Agencia EFE"}
BRIEF_ES = {"section_titles": {"Asia": "Asia y el Pacífico", "Europe": "Europa"},
            "call_to_action": {"text": "Tu donación puede detener abusos.", "button": "Donar",
                               "url": "https://example.org/es/donar"}}
ARTICLE_ES = {"body": "El tribunal liberó a tres periodistas.", "dateline": "GINEBRA, 3 de diciembre",
              "byline": "Benito Rogelio"}


def brief_data(es: dict[str, Any] | None = None, item_es: dict[str, Any] | None = None,
               **overrides: Any) -> dict[str, Any]:
    """An English brief of two sections (Asia, Europe) with a call to action after the first,
    its first item with a kicker and a photo, and Spanish and French editions: ``es`` the
    Spanish front matter (default: all of it), ``item_es`` the first item's Spanish."""
    first = item(1, kicker="North Korea", **PHOTO,
                 translations={"es": ITEM_ES if item_es is None else item_es})
    data = issue_data(0, **{"editions": ["es", "fr"], "translations": {"es": BRIEF_ES if es is None else es},
                            "call_to_action": {**CTA, "position": "after_section", "section": 1}, **overrides})
    del data["items"]
    return {**data, "sections": [{"title": "Asia", "items": [first]}, {"title": "Europe", "items": [item(2)]}]}


def article_data(es: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """An English single article with a dateline, a byline and a call to action, and Spanish
    and French editions (``es``: the Spanish front matter; default: all of it)."""
    data = {k: v for k, v in issue_data(0).items() if k != "items"}
    return {**data, "format": "article", "title": "Release the detained journalists", "intro": None,
            "body": "The court freed three journalists.", "dateline": "GENEVA, 3 December", "byline": "Benedict Rogers",
            "call_to_action": CTA, "editions": ["es", "fr"],
            "translations": {"es": ARTICLE_ES if es is None else es}, **overrides}
