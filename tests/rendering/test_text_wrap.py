"""The plain-text part wraps paragraphs, not lines: text written with hard breaks reads evenly."""

import itertools

from newsletter.rendering import render_issue
from newsletter.rendering.text import wrap_paragraphs
from tests.factories import issue, item

WIDTH = 72
URL = "https://example.org/a/very/long/address/that-cannot-be-broken/anywhere/without-breaking/it.html"
BLURB = (  # as pasted from another email: hard breaks at about 55 columns
    "A United Nations review of China's human rights record\n"
    "took place this week in Geneva, where delegations from\n"
    "more than one hundred countries made recommendations\n"
    "on the treatment of minorities and of human rights defenders.\n"
    "\n"
    "Observers noted three patterns:\n"
    "- states friendly to Beijing crowded the speakers' list\n"
    "  and praised its poverty alleviation programmes at length, one after another\n"
    "* critical statements were limited to fifty seconds\n"
    "2. a numbered point, long enough to need wrapping when it is set at seventy-two columns\n"
    "\n"
    f"The full record is at {URL}\n"
    "and will be updated."
)
LIST_MARKERS = ("- ", "* ", "2. ")


def blurb_in(text: str) -> str:
    """The blurb as the text part shows it: between its source line and its "Read more"."""
    return text.split("Source 1\n\n", 1)[1].split("\n\nRead more:", 1)[0]


def assert_wrapped_evenly(shown: str, original: str) -> None:
    """No line over WIDTH (but a URL alone), and no line ended early inside a paragraph."""
    assert " ".join(shown.split()) == " ".join(original.split())  # every word, in order
    for paragraph in shown.split("\n\n"):
        lines = paragraph.split("\n")
        for line in lines:
            assert len(line) <= WIDTH or line.split() == [URL], line
        for line, following in itertools.pairwise(lines):
            if following.startswith(LIST_MARKERS):
                continue  # a list item keeps its own line
            assert len(line) + 1 + len(following.split()[0]) > WIDTH, f"ragged: {line!r} before {following!r}"


def test_a_blurb_with_hard_breaks_is_rewrapped_by_paragraph(settings):
    content = issue(1, items=[item(1, blurb=BLURB)])
    text = render_issue(content, settings).text.source
    shown = blurb_in(text)
    assert_wrapped_evenly(shown, BLURB)
    assert len(shown.split("\n\n")) == 3  # the blank lines still separate paragraphs
    list_lines = [line for line in shown.splitlines() if line.startswith(LIST_MARKERS)]
    assert [line.split()[1] for line in list_lines] == ["states", "critical", "a"]
    assert "  and praised" not in shown  # a continued list item is one item again


def test_the_intro_and_long_headlines_wrap_too(settings):
    intro = "Just a quick update\nin case you missed it:\nthree stories from a busy week in Geneva and beyond."
    headline = "How China Games the Universal Periodic Review System, and What Other States Do About It"
    text = render_issue(issue(1, intro=intro, items=[item(1, headline=headline)]), settings).text.source
    assert "Just a quick update in case you missed it: three stories from a busy\nweek in Geneva" in text
    assert "1. How China Games the Universal Periodic Review System, and What Other\n   States Do About It" in text


def test_wrap_paragraphs_keeps_list_lines_and_indents_their_continuations():
    text = "Intro line\nthat goes on.\n\n1) first point\n10. tenth point that is long enough to wrap onto a second line here\n- done"
    assert wrap_paragraphs(text, 40) == (
        "Intro line that goes on.\n"
        "\n"
        "1) first point\n"
        "10. tenth point that is long enough to\n"
        "    wrap onto a second line here\n"
        "- done"
    )
    assert wrap_paragraphs("", 72) == ""
