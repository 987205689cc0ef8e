"""Feeds read into proposed items (pure: no network, no database)."""

import datetime as dt

import pytest

from newsletter.errors import FetchError
from newsletter.intake.feeds import FeedDefaults, parse_feed
from newsletter.intake.text import cut_blurb, strip_html
from tests.intake.feeds import ATOM, ENTITIES_AND_CDATA, JSON_FEED, MALFORMED, NOT_A_FEED, RSS


def parse(body: str, content_type: str = "application/rss+xml", **defaults):
    return parse_feed(body.encode(), url="https://feeds.example/feed", content_type=content_type,
                      defaults=FeedDefaults(**defaults), blurb_chars=320)


def test_rss_2():
    court, vote = parse(RSS, tags=("partners",))
    assert court.headline == "Court frees five activists" and court.source == "Partner Press"
    assert court.blurb == "The court freed five activists on Tuesday. Their lawyers welcomed the ruling. The prosecution may appeal."
    assert court.canonical_url == "https://partner.example/news/court"
    assert (court.byline, court.image_url, court.tags) == ("Ana López", "https://partner.example/img/court.jpg", ["partners"])
    assert court.published_at == dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    assert vote.image_url == "https://partner.example/img/vote.png"


def test_atom():
    [entry] = parse(ATOM, "application/atom+xml", name="Policy", language="fr")
    assert (entry.headline, entry.blurb) == ("A new law & its critics", "The bill restricts assembly.")
    assert (entry.image_url, entry.image_alt) == ("https://policy.example/law.jpg", "Parliament")
    assert (entry.byline, entry.source, entry.language) == ("Benedict Rogers", "Policy", "fr")
    assert entry.published_at == dt.datetime(2026, 12, 2, 8, tzinfo=dt.UTC)


def test_json_feed():
    first, second = parse(JSON_FEED, "application/feed+json")
    assert (first.headline, first.blurb, first.url) == ("First post", "Hello readers. This is the first post.",
                                                        "https://blog.example/posts/one")
    assert (first.byline, first.image_url, first.source) == ("Mia", "https://blog.example/one.png", "Blog")
    assert second.blurb == "Short summary."


def test_entities_and_cdata():
    first, second = parse(ENTITIES_AND_CDATA)
    assert first.headline == "Rights & wrongs: “quotes” inside"
    assert first.blurb == "Café owners & workers met. They agreed — finally."
    assert second.headline == "AT&T “numeric” entities — too"


def test_a_malformed_feed_gives_what_could_be_read():
    [entry] = parse(MALFORMED)
    assert entry.headline == "Unclosed item" and entry.url == "https://broken.example/1"


@pytest.mark.parametrize("body, content_type", [(NOT_A_FEED, "text/html"), ("{}", "application/json"),
                                                ("not json {", "application/feed+json")])
def test_something_else_is_not_a_feed(body, content_type):
    with pytest.raises(FetchError, match="not"):
        parse(body, content_type)


def test_keywords_keep_only_matching_entries():
    [entry] = parse(RSS, keywords=("ELECTION",))
    assert entry.headline == "Elections postponed again"


def test_html_is_stripped_to_paragraphs():
    assert strip_html("<p>One &amp; <b>two</b></p><script>x()</script><p>Three</p>") == "One & two\n\nThree"


@pytest.mark.parametrize("text, limit, blurb", [
    ("Short.", 320, "Short."),
    ("First sentence here. Second sentence is longer than that. Third.", 40, "First sentence here."),
    ("One. Two two two two two two two two two two two two two.", 30, "One. Two two two two two two…"),
    ("A sentence that runs on, past the limit, then ends. Next one.", 45, "A sentence that runs on, past the limit, then ends."),
])
def test_blurbs_are_cut_at_a_sentence(text, limit, blurb):
    assert cut_blurb(text, limit) == blurb


def test_an_image_that_is_not_a_web_link_is_left_out_not_the_entry():
    body = RSS.replace("https://partner.example/img/court.jpg", "data:image/png;base64,AAAA")
    court, _ = parse(body)
    assert (court.headline, court.image_url) == ("Court frees five activists", None)
