"""`newsletter render ISSUE_FILE|ID --out DIR`."""

from pathlib import Path
from typing import Annotated

import typer

from newsletter.cli.app import app, console, ready_settings
from newsletter.config import get_settings
from newsletter.content import load_issue_file
from newsletter.db import transaction
from newsletter.editorial import get_issue, issue_content
from newsletter.editorial.branding import current_branding
from newsletter.rendering.editions import render_editions
from newsletter.rendering.preview import preview


@app.command("render")
def render(
    source: Annotated[str, typer.Argument(help="An issue file (.yaml, .json) or an issue id.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for issue.html and issue.txt (and issue.<lang>.html "
                                                   "and .txt for each language edition).")],
) -> None:
    """Render an issue to its final email HTML and plain-text part, and each of its language editions."""
    branding = None  # a file: the settings' branding; a stored issue: the newsroom's, as a send has it
    if source.isdigit() and not Path(source).exists():
        settings = ready_settings()
        with transaction(settings.database_url) as session:
            content = issue_content(get_issue(session=session, issue_id=int(source)))
            branding = current_branding(session=session, settings=settings)
    else:
        settings = get_settings()
        content = load_issue_file(Path(source))
    out.mkdir(parents=True, exist_ok=True)
    for language, rendered in render_editions(content, settings, branding=branding).items():
        name = "issue" if language == content.language else f"issue.{language}"
        html, text = preview(rendered, settings, content.slug, language)
        (out / f"{name}.html").write_text(html, encoding="utf-8")
        (out / f"{name}.txt").write_text(text, encoding="utf-8")
        size = len(html.encode())
        console.print(f"wrote {out / f'{name}.html'} ({size / 1024:.1f} KiB) and {out / f'{name}.txt'}", soft_wrap=True)
