"""Every text and background pair the templates draw with a brand colour is checked for WCAG AA
contrast, not only the colours against white: the masthead's organisation name and date are
light blue-grey on the primary colour, and the archive's footer links are on paper."""

import re
from pathlib import Path

from newsletter.content.branding import MASTHEAD_MUTED, PAPER, Branding, branding_problems
from newsletter.editorial.shape_checks import shape_findings
from tests.factories import issue

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
GOOD = Branding(organisation_name="Org", postal_address="1 Road")


def test_a_primary_colour_that_passes_with_white_but_not_with_the_masthead_s_text_is_refused():
    grey = GOOD.model_copy(update={"primary_colour": "#767676"})  # 4.54:1 with white
    [problem] = branding_problems(grey)
    assert problem.startswith("The primary colour #767676 has a contrast of 3.64:1 with #dfe7f2 "
                              "(the masthead's organisation name and date), 4.03:1 with #f4f1ec")
    assert "WCAG AA needs 4.5:1" in problem
    errors = [f.message for f in shape_findings(issue(1), grey) if f.level == "error"]
    assert errors == [problem]  # pre-flight refuses the issue
    assert branding_problems(GOOD.model_copy(update={"accent_colour": "#767676"})) == []  # drawn only with white
    assert branding_problems(GOOD.model_copy(update={"primary_colour": "#5a5a5a"})) == []


def colour_of(template: str, pattern: str) -> str:
    found = re.search(pattern, (TEMPLATES / template).read_text(encoding="utf-8"))
    assert found, (template, pattern)
    return found.group(1).lower()


def test_the_colours_checked_are_those_the_templates_draw():
    assert colour_of("email/issue.mjml.j2", r"\.kicker \{[^}]*color: (#[0-9a-fA-F]{6})") == MASTHEAD_MUTED
    assert colour_of("email/issue.mjml.j2", r"\.issue-date \{[^}]*color: (#[0-9a-fA-F]{6})") == MASTHEAD_MUTED
    assert colour_of("web/base.html.j2", r"header \.kicker \{[^}]*color: (#[0-9a-fA-F]{6})") == MASTHEAD_MUTED
    assert colour_of("web/base.html.j2", r"--paper: (#[0-9a-fA-F]{6})") == PAPER
