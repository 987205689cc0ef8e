"""An issue with a Spanish edition (and, where a test asks, an Arabic one), as in issue files."""

from typing import Any

from tests.factories import issue_data, item


def two_edition_data(count: int = 2, *, arabic: bool = False, **overrides: Any) -> dict[str, Any]:
    """An English issue with a Spanish edition: front matter and every item translated but the
    last, whose Spanish page is its own link; ``arabic`` adds an Arabic edition with one item."""
    items = [item(n, translations={"es": {"headline": f"Titular {n}", "blurb": f"Resumen {n}.",
                                          "url": f"https://example.org/es/news/{n}"}})
             for n in range(1, count)] + [item(count)]
    editions = ["es"]
    translations: dict[str, Any] = {"es": {"title": "El Informe Semanal", "subject": "El Informe: 29 de diciembre",
                                           "intro": "Una breve puesta al día."}}
    if arabic:
        editions.append("ar")
        translations["ar"] = {"title": "النشرة الأسبوعية", "intro": "تحديث سريع."}
        items[0]["translations"]["ar"] = {"headline": "عنوان الخبر الأول", "blurb": "ملخص قصير للخبر."}
    return issue_data(0, items=items, editions=editions, translations=translations, **overrides)
