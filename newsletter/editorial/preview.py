"""What the preview page shows: the email as a reader gets it, its size and the checks.

Drafts may be incomplete (an item without its blurb), so the content is assembled here
without the completeness rules of :class:`IssueContent`. Its values were checked for
safety when stored (see :mod:`newsletter.editorial.drafts`), and the renderer escapes
them, so the preview is as safe as the email; the pre-flight checks report what is missing.
"""

from dataclasses import dataclass

from sqlalchemy.orm import object_session

from newsletter.config import Settings
from newsletter.content.editions import edition_content, edition_languages
from newsletter.content.models import IssueContent, ItemContent, SectionContent
from newsletter.db.models import Issue
from newsletter.editorial.branding import current_branding
from newsletter.editorial.edition_checks import edition_findings
from newsletter.editorial.editions import draft_issue_translations, draft_item_translations
from newsletter.editorial.preflight import Finding, check_issue
from newsletter.editorial.shape_checks import shape_findings
from newsletter.editorial.shapes import issue_shape, item_shape
from newsletter.errors import RenderError
from newsletter.rendering import render_issue
from newsletter.rendering.preview import preview


@dataclass(frozen=True)
class IssuePreview:
    """An issue rendered for a sample reader, with its pre-flight findings."""

    subject: str
    preheader: str
    html: str | None  # None when it does not render (a finding says why)
    text: str | None
    html_bytes: int | None
    findings: list[Finding]

    @property
    def approvable(self) -> bool:
        """No finding is an error."""
        return not any(f.level == "error" for f in self.findings)


def preview_issue(issue: Issue, settings: Settings, edition: str | None = None) -> IssuePreview:
    """Render ``issue`` (sections and items loaded) as a sample reader would get it, in its
    language ``edition`` (None, or one it lacks: the main one), and check every edition."""
    content = draft_content(issue)
    item_ids = [entry.item_id for section in issue.sections for entry in section.entries]
    shown = edition if edition in content.editions else content.language
    html = text = error = None
    branding = current_branding(session=object_session(issue), settings=settings)
    sizes: dict[str, int] = {}
    for language in edition_languages(content):  # each rendered once: shown, or measured
        try:
            rendered = render_issue(edition_content(content, language), settings, branding=branding)
        except RenderError as err:  # the same templates fail for every edition: one finding says why
            error = str(err)
            break
        edition_shown = None if language == content.language else language
        filled = preview(rendered, settings, issue.slug, language, edition_shown)  # filling costs microseconds
        sizes[language] = len(filled[0].encode())
        if language == shown:
            html, text = filled
    size = len(html.encode()) if html is not None else None
    findings = check_issue(content, item_ids=item_ids, html_bytes=sizes.get(content.language), render_error=error)
    findings += edition_findings(content, item_ids, sizes)
    findings = sorted(findings + shape_findings(content, branding), key=lambda f: f.level != "error")
    displayed = edition_content(content, shown)
    return IssuePreview(displayed.effective_subject, displayed.effective_preheader, html, text, size, findings)


def draft_content(issue: Issue) -> IssueContent:
    """The issue as content, without the completeness rules (see the module's docstring)."""
    sections = [
        SectionContent.model_construct(
            title=section.title,
            items=[
                ItemContent.model_construct(
                    translations=draft_item_translations(e.item, issue.editions),
                    headline=e.item.headline, blurb=e.item.blurb, url=e.item.url, source=e.item.source,
                    image=e.item.image_url, image_alt=e.item.image_alt, **item_shape(e.item),
                )
                for e in section.entries
            ],
        )
        for section in issue.sections if issue.format != "article"
    ]
    return IssueContent.model_construct(
        editions=issue.editions, phrases=issue.phrases, translations=draft_issue_translations(issue),
        title=issue.title, date=issue.date, subject=issue.subject, preheader=issue.preheader,
        intro=issue.intro, language=issue.language, sections=sections, **issue_shape(issue, validate=False),
    )
