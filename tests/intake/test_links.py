"""A link becomes a proposed item: pages served locally with their metadata in OpenGraph, in
JSON-LD, in neither, or only a <title>; and a story already known is flagged."""

import datetime as dt

import pytest

from newsletter.db import transaction
from newsletter.db.models import MailingList, Send, SendList
from newsletter.editorial import issues
from newsletter.intake.links import add_link, note_for, propose_link
from newsletter.intake.urls import canonical_url
from tests import factories
from tests.conftest import make_settings

OPENGRAPH = """<!doctype html><html lang="es"><head><title>Site | A story</title>
<meta property="og:title" content="Activists detained &amp; released">
<meta property="og:description" content="Five activists were held overnight. They were released on bail. The court meets in May.">
<meta property="og:image" content="/photos/court.jpg"><meta property="og:image:alt" content="The court steps">
<meta property="og:site_name" content="Rights Daily"><meta name="author" content="Ana López">
<link rel="canonical" href="https://rights.example/story/5"></head><body><p>Body.</p></body></html>"""
JSON_LD = """<html><head><title>Fallback title</title><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Policy Review"},
 {"@type": "NewsArticle", "headline": "A new law on assembly", "description": "The bill passed its second reading.",
  "image": [{"@type": "ImageObject", "url": "https://cdn.example/law.png"}], "datePublished": "2026-11-12T09:30:00Z",
  "author": [{"@type": "Person", "name": "Benedict Rogers"}], "publisher": {"@type": "Organization", "name": "Policy Review"},
  "inLanguage": "en-GB"}]}</script></head><body><p>Text.</p></body></html>"""
NEITHER = """<html><head><title>Inside the detention centre</title></head><body><nav>Home | About</nav>
<article><h1>Inside the detention centre</h1><p>Families waited outside the gates for news of relatives held since
the protests began, and lawyers said they had been denied access for a fourth day.</p>
<p>A second paragraph that is not the lead of the story at all.</p></article></body></html>"""
TWITTER_CARD = """<html><head><title>Wire | home</title><meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="Journalists freed after 40 days">
<meta name="twitter:description" content="Three reporters walked free on Friday. Their paper thanked readers.">
<meta name="twitter:image" content="https://cdn.wire.example/freed.jpg">
<meta name="twitter:image:alt" content="Three people outside a prison gate"></head>
<body><p>A cookie banner, not the story.</p></body></html>"""
TITLE_ONLY = "<html><head><title>  Just a title\n</title></head><body></body></html>"


def test_an_opengraph_page(pages, fetch_settings):
    proposal = propose_link(pages.add("/og?utm_source=x", OPENGRAPH), settings=fetch_settings, tags=["courts"])
    assert proposal.headline == "Activists detained & released"
    assert proposal.blurb.startswith("Five activists were held overnight.")
    assert proposal.image_url == pages.url("/photos/court.jpg") and proposal.image_alt == "The court steps"
    assert (proposal.source, proposal.byline, proposal.language) == ("Rights Daily", "Ana López", "es")
    assert proposal.canonical_url == "https://rights.example/story/5" and proposal.tags == ["courts"]


def test_a_json_ld_page(pages, fetch_settings):
    proposal = propose_link(pages.add("/ld", JSON_LD), settings=fetch_settings)
    assert (proposal.headline, proposal.blurb) == ("A new law on assembly", "The bill passed its second reading.")
    assert proposal.image_url == "https://cdn.example/law.png"
    assert (proposal.byline, proposal.source, proposal.language) == ("Benedict Rogers", "Policy Review", "en-gb")
    assert proposal.published_at == dt.datetime(2026, 11, 12, 9, 30, tzinfo=dt.UTC)


def test_a_page_with_only_twitter_card_metadata(pages, fetch_settings):
    proposal = propose_link(pages.add("/card", TWITTER_CARD), settings=fetch_settings)
    assert (proposal.headline, proposal.blurb) == ("Journalists freed after 40 days",
                                                   "Three reporters walked free on Friday. Their paper thanked readers.")
    assert (proposal.image_url, proposal.image_alt) == ("https://cdn.wire.example/freed.jpg",
                                                        "Three people outside a prison gate")


def test_a_page_with_neither_gets_its_title_and_lead_paragraph(pages, fetch_settings):
    proposal = propose_link(pages.add("/plain", NEITHER), settings=fetch_settings)
    assert proposal.headline == "Inside the detention centre"
    assert proposal.blurb.startswith("Families waited outside the gates") and "second paragraph" not in proposal.blurb


def test_a_page_with_only_a_title(pages, fetch_settings):
    proposal = propose_link(pages.add("/bare", TITLE_ONLY), settings=fetch_settings)
    assert (proposal.headline, proposal.blurb, proposal.image_url) == ("Just a title", "", None)


def test_a_long_description_is_cut_at_a_sentence(pages, tmp_path):
    settings = make_settings(tmp_path, fetch_allow_private=True, blurb_chars=60)
    proposal = propose_link(pages.add("/og", OPENGRAPH), settings=settings)
    assert proposal.blurb == "Five activists were held overnight. They were released on bail."


@pytest.mark.parametrize("url, key", [
    ("HTTP://WWW.Example.org:80/a/b?utm_source=x&id=3&fbclid=y#top", "https://example.org/a/b?id=3"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org:8443/x?gclid=1&mc_cid=2", "https://example.org:8443/x"),
])
def test_canonical_urls(url, key):
    assert canonical_url(url) == key


def test_a_story_in_the_inbox_or_sent_recently_is_flagged(pages, fetch_settings, database_url):
    now = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    sent_url = "https://example.org/news/1"
    with transaction(database_url) as session:
        issue = issues.save_issue(session=session, content=factories.issue(1, title="Courts, strikes and a new law"))
        issue.status = "sent"
        issue.sections[0].entries[0].item.canonical_url = canonical_url(sent_url)
        weekly = MailingList(name="weekly", title="The Weekly Brief")
        send = Send(issue_id=issue.id, subject="s", status="sent", html_template="", text_template="",
                    list_names="weekly", started_at=dt.datetime(2026, 11, 12, 8, tzinfo=dt.UTC))
        session.add_all([weekly, send])
        session.flush()
        session.add(SendList(send_id=send.id, list_id=weekly.id))
    page = pages.add("/og", OPENGRAPH)
    proposal = propose_link(page, settings=fetch_settings)
    with transaction(database_url) as session:
        assert note_for(session=session, proposal=proposal, now=now).note is None
        item, note = add_link(session=session, proposal=proposal, now=now)
        assert note is None and item.canonical_url == "https://rights.example/story/5" and item.byline == "Ana López"
        again = note_for(session=session, proposal=proposal, now=now).note
        assert again == "already in the inbox: “Activists detained & released”"
        echo = pages.add("/again", OPENGRAPH.replace("https://rights.example/story/5", sent_url + "?utm_medium=email"))
        sent = propose_link(echo, settings=fetch_settings)
        assert note_for(session=session, proposal=sent, now=now).note == "already sent on 12 Nov in The Weekly Brief"
        later = now + dt.timedelta(weeks=9)
        assert note_for(session=session, proposal=sent, now=later).note is None
