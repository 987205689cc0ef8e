import pytest

from newsletter.rendering.personalise import MARKERS, PersonalisableTemplate


def test_fill_replaces_every_marker_and_keeps_the_rest():
    source = f"<p>Hi {MARKERS['name']}</p><a href=\"{MARKERS['unsubscribe_url']}\">x</a>{MARKERS['name']}"
    template = PersonalisableTemplate(source, escape_html=True)
    assert template.fields == {"name", "unsubscribe_url"}
    out = template.fill({"name": "Zoë & <Co>", "unsubscribe_url": "https://x.org/u?a=1&b=2"})
    assert out == '<p>Hi Zoë &amp; &lt;Co&gt;</p><a href="https://x.org/u?a=1&amp;b=2">x</a>Zoë &amp; &lt;Co&gt;'


def test_text_templates_are_not_escaped():
    template = PersonalisableTemplate(f"Hi {MARKERS['name']}!", escape_html=False)
    assert template.fill({"name": "<Ana>"}) == "Hi <Ana>!"


def test_a_document_without_markers_is_returned_as_is():
    template = PersonalisableTemplate("plain", escape_html=True)
    assert template.fields == set() and template.fill({}) == "plain"


def test_a_missing_value_is_an_error_not_a_blank():
    template = PersonalisableTemplate(MARKERS["email"], escape_html=False)
    with pytest.raises(KeyError):
        template.fill({"name": "x"})
