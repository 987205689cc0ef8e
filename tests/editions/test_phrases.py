"""The phrase catalogue: every fixed word of an issue comes from it in the edition's language,
and an override can change words but not how its values are formatted."""

import pytest
import yaml

from newsletter.content import load_issue_file
from newsletter.content.phrases import (
    CATALOGUE,
    PHRASE_KEYS,
    SITE_KEYS,
    check_override,
    phrases,
    site_phrases,
)
from newsletter.errors import IssueFileError
from newsletter.rendering.article import render_article
from tests.editions.helpers import two_edition_data
from tests.factories import issue, item
from tests.rendering.test_shapes import PHOTO, article, both

NOTE = "Police detained three reporters[^1].\n\n[^1]: On 30 November."


def test_every_language_of_the_catalogue_has_every_phrase_and_the_sites_words_are_not_an_issues():
    assert {language: sorted(words) for language, words in CATALOGUE.items()} == {
        language: sorted(CATALOGUE["en"]) for language in ("en", "es", "fr", "ar", "de", "pt")}
    assert set(SITE_KEYS).isdisjoint(PHRASE_KEYS) and set(SITE_KEYS) | set(PHRASE_KEYS) == set(CATALOGUE["en"])
    assert "past_issues" not in phrases("es") and site_phrases("es-MX")["past_issues"] == "Números anteriores"
    with pytest.raises(ValueError, match="'skip_to_content' is not a phrase"):
        check_override("skip_to_content", "Go to the stories")


def test_a_photo_s_caption_is_labelled_in_the_edition_s_language_in_the_text_part(settings):
    _, text = both(settings, issue(0, language="es", items=[item(1, **PHOTO)]))
    assert "Foto: A guard at the embassy gate. © 2016 Reuters" in text and "Photo:" not in text
    _, text = both(settings, issue(0, language="fr", phrases={"photo": "Image : {caption}"}, items=[item(1, **PHOTO)]))
    assert "Image : A guard at the embassy gate." in text


def test_an_article_s_notes_are_headed_and_linked_back_in_the_edition_s_language(settings):
    html, text = both(settings, article(NOTE, language="es"))
    assert 'aria-label="Notas"' in html and 'aria-label="Volver a la referencia 1"' in html
    assert "Notes" not in text and text.count("Notas\n-----\n\n[1] On 30 November.") == 1
    arabic = render_article(NOTE, words=phrases("ar", {"notes": 'حواشي "النص"'}))
    assert 'aria-label="حواشي &quot;النص&quot;"' in str(arabic.html)  # an override stays inside its attribute
    assert arabic.text.endswith('حواشي "النص"\n------------\n\n[1] On 30 November.')
    assert 'aria-label="Back to reference 1"' in str(render_article(NOTE).html)  # English without words


@pytest.mark.parametrize("text", ["By {name:>99999999}", "By {name!r}", "By {name!s:>9}", "By {name.upper}",
                                  "By {name[0]}", "By {name.__class__}", "By {0}", "By {}"])
def test_an_override_that_formats_its_value_is_refused_by_the_issue_file(tmp_path, text):
    data = two_edition_data(2)
    data["translations"]["es"]["phrases"] = {"byline": text}
    path = tmp_path / "issue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(IssueFileError) as caught:
        load_issue_file(path)
    assert "braces hold a name alone, with no format, conversion, attribute or index (it can use {name})" in str(
        caught.value)
    assert len(str(caught.value)) < 600


def test_an_override_may_still_move_its_values_and_escape_braces():
    assert check_override("byline", "{{Autor}}: {name}") == "{{Autor}}: {name}"
    assert check_override("back_to_reference", "↩ {n}") == "↩ {n}"
