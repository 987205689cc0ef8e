"""What an edition leaves in the main language, said by pre-flight and by the composer's status:
a translated item's image alt text, kicker or caption, the call to action's words, the section
titles and an article's dateline; and merge tags left in any of them."""

from newsletter.content import IssueContent
from newsletter.editorial.edition_checks import edition_findings
from newsletter.editorial.editions import edition_statuses
from tests.editions.more_helpers import ARTICLE_ES, ITEM_ES, article_data, brief_data


def findings(data: dict) -> list[tuple[str, str, int | None]]:
    content = IssueContent.model_validate(data)
    return [(f.level, f.message, f.item_id) for f in edition_findings(content, [11, 12][:len(content.items)], {})]


def test_a_fully_translated_edition_has_no_finding_and_lacks_nothing():
    found = findings(brief_data(item_es={**ITEM_ES, "blurb": "Resumen."}))
    assert not [f for f in found if "Spanish" in f[1] and "Headline number 2" not in f[1]]
    spanish = edition_statuses(IssueContent.model_validate(brief_data()))[1]
    assert (spanish.language, spanish.missing_front, spanish.incomplete) == ("es", ["title", "intro"], {})


def test_a_translated_item_without_its_image_alt_text_kicker_or_caption_is_warned_of_and_shown():
    item_es = {k: v for k, v in ITEM_ES.items() if k not in ("image_alt", "kicker", "image_caption")}
    found = findings(brief_data(item_es=item_es))
    assert ("warning", ("“Headline number 1” has no image alt text or kicker or image caption in Spanish (es) "
                       "edition: the English is used there."), 11) in found
    spanish = edition_statuses(IssueContent.model_validate(brief_data(item_es={"headline": "Titular 1"})))[1]
    assert spanish.incomplete == {0: ["image_alt", "kicker", "image_caption"]}
    assert spanish.untranslated == [1]
    # An image credit, a byline and a link read the same untranslated; an item without an image
    # needs no alt text.
    only_credit = {k: v for k, v in ITEM_ES.items() if k != "image_credit"}
    assert edition_statuses(IssueContent.model_validate(brief_data(item_es=only_credit)))[1].incomplete == {}


def test_the_call_to_action_and_section_titles_left_in_the_main_language_are_warned_of():
    found = findings(brief_data(es={"call_to_action": {"button": "Donar"}, "section_titles": {"Europe": "Europa"}}))
    assert ("warning", ("The call to action's text has no translation in Spanish (es) edition: the English is used "
                       "there."), None) in found
    assert ("warning", ("The section title “Asia” has no translation in Spanish (es) edition: the English is used "
                       "there."), None) in found
    french = [f for f in found if "French" in f[1] and f[2] is None]
    assert french == [
        ("warning", ("The call to action's text and button label have no translation in French (fr) edition: the "
                    "English is used there."), None),
        ("warning", ("The section titles “Asia”, “Europe” have no translation in French (fr) edition: the English "
                    "is used there."), None)]
    statuses = edition_statuses(IssueContent.model_validate(brief_data(es={})))
    assert statuses[1].missing_front == statuses[2].missing_front == [
        "title", "intro", "cta_text", "cta_button", "section_titles"]


def test_an_articles_dateline_left_in_the_main_language_is_warned_of_once_its_body_is_translated():
    found = findings(article_data(es={"body": ARTICLE_ES["body"]}))
    assert ("warning", ("The article's dateline has no translation in Spanish (es) edition: the English is used "
                       "there."), None) in found
    assert not any("dateline" in f[1] for f in findings(article_data()))
    statuses = edition_statuses(IssueContent.model_validate(article_data(es={"body": ARTICLE_ES["body"]})))
    assert "dateline" in statuses[1].missing_front and "byline" not in statuses[1].missing_front
    assert statuses[2].missing_front[-4:] == ["body", "dateline", "cta_text", "cta_button"]


def test_a_merge_tag_left_in_any_new_translation_is_an_error():
    tag = "*|FNAME|*"
    brief = brief_data(es={"section_titles": {"Asia": f"Asia {tag}"}, "call_to_action": {"button": "{{ boton }}"}},
                       item_es={"headline": "Titular", "image_credit": "%%credito%%"})
    article = article_data(es={**ARTICLE_ES, "dateline": f"GINEBRA {tag}", "byline": "[[autor]]"})
    assert ("error", "Leftover merge tags in the es front matter: {{ boton }}, *|FNAME|*.", None) in findings(brief)
    assert ("error", "A leftover merge tag in the es translation of “Headline number 1”: %%credito%%.", 11) \
        in findings(brief)
    assert ("error", "Leftover merge tags in the es front matter: *|FNAME|*, [[autor]].", None) in findings(article)
    assert not [f for f in findings(brief_data()) if f[0] == "error"]
