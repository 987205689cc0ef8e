"""Issue files carry the content shapes: each new field survives YAML and JSON round trips,
today's files load as before, and a mistake is named with where it is."""

import pytest

from newsletter.content import load_issue_file
from newsletter.content.branding import AA_CONTRAST, Branding, branding_problems, contrast_ratio, settings_branding
from tests.content.test_issue_file import error_of, write
from tests.factories import issue_data, item

SHAPED_ITEM = {"byline": "Benedict Rogers", "kicker": "North Korea", "image": "https://example.org/p.jpg",
               "image_alt": "The gate", "image_caption": "A guard at the embassy gate.",
               "image_credit": "© 2016 Reuters", "featured": True}
CTA = {"text": "Your gift can help stop abuses.", "button": "Donate", "url": "https://example.org/give",
       "position": "after_section", "section": 1}
ARTICLE = {"format": "article", "dateline": "GENEVA, 3 December 2026", "byline": "Ana Ruiz",
           "body": "The statement[^1].\n\n> A quote.\n\n[^1]: A note."}


def article_data(**overrides):
    data = {k: v for k, v in issue_data(0).items() if k != "items"}
    return {**data, **ARTICLE, **overrides}


@pytest.mark.parametrize("name", ["issue.yaml", "issue.json"])
@pytest.mark.parametrize("data", [
    issue_data(0, items=[item(1, **SHAPED_ITEM), item(2)], call_to_action=CTA),
    article_data(call_to_action={**CTA, "position": "end", "section": None}),
], ids=["items", "article"])
def test_every_new_field_survives_a_round_trip(tmp_path, name, data):
    first = load_issue_file(write(tmp_path, data, name))
    again = load_issue_file(write(tmp_path, first.model_dump(mode="json", exclude_defaults=True), "again-" + name))
    assert again == first
    if first.format == "items":
        assert {k: getattr(first.items[0], k) for k in SHAPED_ITEM} == SHAPED_ITEM
        assert first.items[1].featured is False and first.items[1].byline is None
        assert first.call_to_action.model_dump() == CTA
    else:
        assert (first.dateline, first.byline, first.body) == (ARTICLE["dateline"], ARTICLE["byline"], ARTICLE["body"])
        assert first.sections == [] and first.call_to_action.position == "end"


def test_todays_files_load_as_the_item_format_without_a_call_to_action(tmp_path):
    content = load_issue_file(write(tmp_path, issue_data(2)))
    assert content.format == "items" and content.call_to_action is None
    assert not any(i.featured or i.byline or i.kicker for i in content.items)


@pytest.mark.parametrize(("data", "expected"), [
    (issue_data(1, call_to_action={**CTA, "url": "http://example.org/give"}), "call_to_action.url: must be an https:// URL"),
    (issue_data(1, call_to_action={**CTA, "section": None}), "give section (its number) with position after_section"),
    (issue_data(1, call_to_action={**CTA, "section": 3}), "there is no section 3 (the issue has 1)"),
    (issue_data(1, call_to_action={**CTA, "position": "middle"}), "call_to_action.position: input should be"),
    (issue_data(0, items=[item(1, kicker="Two\nlines")]), "item 1, kicker: must be a single line"),
    (issue_data(0, items=[item(1, featured="very")]), "item 1, featured: input should be a valid boolean"),
    (article_data(body=None), "an article (format: article) has a body and no items"),
    (issue_data(1, **ARTICLE), "an article (format: article) has a body and no items"),
    (issue_data(1, format="letter"), "format: input should be 'items' or 'article'"),
])
def test_a_mistake_in_a_shape_is_named(tmp_path, data, expected):
    assert expected in error_of(write(tmp_path, {k: v for k, v in data.items() if v is not None}))


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast_ratio("#777777", "#ffffff") < AA_CONTRAST
    assert contrast_ratio("#1d3557", "#ffffff") == contrast_ratio("#ffffff", "#1d3557")


def test_branding_problems_name_failing_colours_and_a_logo_without_alt():
    good = Branding(organisation_name="Org", postal_address="1 Road")
    assert branding_problems(good) == []
    bad = good.model_copy(update={"primary_colour": "#ffcc00", "logo_url": "https://example.org/l.png"})
    problems = branding_problems(bad)
    assert len(problems) == 2
    assert "The primary colour #ffcc00 has a contrast of 1.51:1" in problems[0] and "4.5:1" in problems[0]
    assert "logo has no alt text" in problems[1]


def test_settings_give_the_default_branding_and_stay_hashable(settings):
    configured = settings.model_copy(update={
        "brand_social_links": "Mastodon https://mastodon.example/@us, Blue Sky https://bsky.app/profile/us",
        "brand_logo_url": "https://example.org/logo.png", "brand_logo_alt": "Us"})
    hash(configured)  # workers cache what they make per settings object
    branding = settings_branding(configured)
    assert [(link.label, link.url) for link in branding.social_links] == [
        ("Mastodon", "https://mastodon.example/@us"), ("Blue Sky", "https://bsky.app/profile/us")]
    assert (branding.logo_url, branding.logo_alt, branding.organisation_name) == (
        "https://example.org/logo.png", "Us", settings.organisation_name)
