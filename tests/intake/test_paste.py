"""Pasted newsletters and index pages split into proposed items (pure)."""

import datetime as dt

from newsletter.intake.paste import propose_from_paste
from tests.intake.pasted import BLOG_INDEX, HTML_COPY, NEWSLETTER


def shape(proposals):
    return [(p.headline, p.blurb, p.url) for p in proposals]


def test_a_newsletter_with_read_more_lines_with_and_without_their_url():
    assert shape(propose_from_paste(NEWSLETTER, blurb_chars=320)) == [
        ("Court frees five activists", "The court freed five activists on Tuesday. Their lawyers welcomed the ruling.",
         "https://partner.example/news/court"),
        ("Elections postponed again", "The vote was put off for a third time, officials said. The opposition called "
         "it a delay tactic.", ""),
        ("A new law on assembly", "The bill passed its second reading.", "https://policy.example/law"),
    ]


def test_a_blog_index_with_bylines_and_continue_reading():
    first, second = propose_from_paste(BLOG_INDEX, blurb_chars=320, language="es", tags=["blog"])
    assert (first.headline, first.byline, first.url) == ("Inside the detention centre", "Benedict Rogers", "")
    assert first.published_at == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert first.blurb == ("Families waited outside the gates for news of relatives held since the protests began."
                           "\n\nLawyers said they had been denied access for a fourth day.")
    assert (second.headline, second.byline, second.url) == ("Minister resigns", "Ana López",
                                                            "https://blog.example/minister-resigns")
    assert (second.language, second.tags) == ("es", ["blog"])


def test_pasted_html_is_read_for_its_links():
    assert shape(propose_from_paste(HTML_COPY, blurb_chars=320)) == [
        ("First story", "Something happened. It matters, says the report.", "https://a.example/one"),
        ("Second story", "Another thing happened & people noticed.", ""),
    ]


def test_a_long_blurb_is_cut_and_text_without_items_proposes_nothing():
    long = "Title here\n" + "A sentence of some length. " * 40 + "\nRead more https://e.example/x"
    [item] = propose_from_paste(long, blurb_chars=100)
    assert len(item.blurb) <= 110 and item.blurb.endswith(".")
    assert propose_from_paste("Just one line of chat", blurb_chars=320) == []


def test_a_browser_form_s_line_ends_do_not_split_paragraphs():
    [court, elections, law] = propose_from_paste(NEWSLETTER.replace("\n", "\r\n"), blurb_chars=320)
    assert elections.blurb == "The vote was put off for a third time, officials said. The opposition called it a delay tactic."
