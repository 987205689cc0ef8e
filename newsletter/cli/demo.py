"""`newsletter demo`: the whole path on embedded defaults, from a sample issue to .eml files."""

from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from newsletter.cli.app import app, console, ready_settings
from newsletter.cli.send import follow
from newsletter.cli.subscribers import print_report
from newsletter.content import load_issue_file
from newsletter.db import transaction
from newsletter.db.models import MailingList
from newsletter.editorial import save_issue
from newsletter.rendering import render_issue
from newsletter.rendering.preview import preview
from newsletter.sending import create_send
from newsletter.subscribers import create_list, import_subscribers

DEMO_LIST = "weekly"


@app.command("demo")
def demo() -> None:
    """Load a sample issue and subscribers, send it, and show where the messages are."""
    settings = ready_settings()
    samples = Path(str(files("newsletter.demo")))
    with transaction(settings.database_url) as session:
        if session.scalar(select(MailingList.id).where(MailingList.name == DEMO_LIST)) is None:
            create_list(session=session, name=DEMO_LIST, title="The Weekly Brief")
    console.print(f"1. importing sample subscribers into the list {DEMO_LIST!r}")
    report = import_subscribers(
        database_url=settings.database_url, path=samples / "subscribers.csv",
        list_name=DEMO_LIST, confirmed=True, source="demo",
    )
    print_report(report)

    content = load_issue_file(samples / "weekly-brief.yaml")
    with transaction(settings.database_url) as session:
        issue_id = save_issue(session=session, content=content).id
    console.print(f"2. imported the sample issue as issue {issue_id}: {content.title}, {len(content.items)} items")

    html, text = preview(render_issue(content, settings), settings, content.slug)
    preview_dir = settings.outbox_dir / "preview"
    preview_dir.mkdir(parents=True, exist_ok=True)
    (preview_dir / "issue.html").write_text(html, encoding="utf-8")
    (preview_dir / "issue.txt").write_text(text, encoding="utf-8")

    console.print(f"3. sending issue {issue_id} to {DEMO_LIST!r} ({settings.email_backend} provider)")
    with transaction(settings.database_url) as session:
        send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=[DEMO_LIST]).id
    follow(settings, send_id, wait=True)
    console.print()
    console.print(f"HTML preview:  {(preview_dir / 'issue.html').resolve()}", markup=False)
    console.print(f"text part:     {(preview_dir / 'issue.txt').resolve()}", markup=False)
    if settings.email_backend == "file":
        outbox = (settings.outbox_dir / f"send-{send_id}").resolve()
        console.print(f"messages:      {outbox}/*.eml ({len(list(outbox.glob('*.eml')))} files)", markup=False)
    console.print(
        f"web pages:     run `newsletter serve`, then open {settings.base_url}/archive "
        "(each message's unsubscribe link works there too)", markup=False,
    )
