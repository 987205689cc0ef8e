"""Pre-flight checks of the content shapes and the organisation's look: pure functions.

They join :func:`newsletter.editorial.preflight.check_issue`'s findings in the preview: an
article needs its body, a call to action its text, button and link, and an issue features
at most two items (more is an error: when everything stands out, nothing does); the branding
must pass WCAG AA contrast and give its logo alt text.
"""

from newsletter.content.branding import Branding, branding_problems
from newsletter.content.models import IssueContent
from newsletter.editorial.preflight import Finding, _leftover_tags, _leftovers, _short

MAX_FEATURED = 2  # "at most one or two per issue": more and nothing stands out


def shape_findings(content: IssueContent, branding: Branding) -> list[Finding]:
    """What is wrong with ``content``'s shapes and with ``branding``, errors first."""
    found = [Finding("error", problem) for problem in branding_problems(branding)]
    found += _article(content) + _call_to_action(content) + _featured(content)
    return sorted(found, key=lambda f: f.level != "error")


def _article(content: IssueContent) -> list[Finding]:
    if content.format != "article":
        return []
    found = [] if content.body else [Finding("error", "The article has no body yet.")]
    if tags := _leftover_tags(content.dateline, content.byline, content.body):
        found.append(_leftovers("the article", tags))
    return found


def _call_to_action(content: IssueContent) -> list[Finding]:
    cta = content.call_to_action
    if cta is None:
        return []
    found = []
    missing = [name for name, value in (("text", cta.text), ("button label", cta.button), ("link", cta.url))
               if not value]
    if missing:
        found.append(Finding("error", f"The call to action has no {' or '.join(missing)}: add it, or clear "
                                      "the call to action."))
    if cta.position == "after_section" and not 1 <= (cta.section or 0) <= max(len(content.sections), 1):
        found.append(Finding("error", f"The call to action goes after section {cta.section or '?'}, but the "
                                      f"issue has {len(content.sections)}."))
    if tags := _leftover_tags(cta.text, cta.button):
        found.append(_leftovers("the call to action", tags))
    return found


def _featured(content: IssueContent) -> list[Finding]:
    featured = [item for item in content.items if item.featured]
    found = []
    if len(featured) > MAX_FEATURED:
        found.append(Finding("error", f"{len(featured)} items are featured; an issue features at most "
                                      f"{MAX_FEATURED}, or none of them stands out. Untick “featured” on "
                                      f"{len(featured) - MAX_FEATURED} of them."))
    for item in content.items:
        if tags := _leftover_tags(item.byline, item.kicker, item.image_caption, item.image_credit):
            found.append(_leftovers(f"“{_short(item.headline)}”", tags))
    return found
