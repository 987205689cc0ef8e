"""`newsletter items list|add-url|import-text`: the inbox, and intake's ways into it."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.db.models import utcnow
from newsletter.editorial.items import search_items
from newsletter.errors import ContentError
from newsletter.intake import ProposedItem
from newsletter.intake.inbox import save_proposal, seen_notes
from newsletter.intake.paste import propose_from_paste

items_app = typer.Typer(help="The item inbox: list, add from a link, import pasted text.", no_args_is_help=True)
app.add_typer(items_app, name="items")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable items, one JSON array.")]
TagOption = Annotated[list[str] | None, typer.Option("--tag", help="A tag for the item (repeat for more).")]


@items_app.command("list")
def list_(as_json: JsonOption = False, limit: Annotated[int, typer.Option(
        min=1, max=100_000, help="At most this many items, the newest.")] = 200) -> None:
    """The inbox (items in no issue yet), newest first."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        found = [(item.id, ProposedItem.from_item(item))
                 for item in search_items(session=session, unused_only=True, limit=limit + 1)]
    more, found = len(found) > limit, found[:limit]
    if as_json:
        print(json.dumps([p.as_json(item_id) for item_id, p in found], ensure_ascii=False, indent=2))
    else:
        table = Table("id", "headline", "source", "link")
        for item_id, p in found:
            table.add_row(str(item_id), p.headline, p.source or "", p.url or "(no link yet)")
        console.print(table)
    if more:  # on stderr: --json's output stays one array
        typer.echo(f"showing the newest {limit} items; the inbox has more (--limit to see them)", err=True)


@items_app.command("add-url")
def add_url(url: Annotated[str, typer.Argument(help="The page's link, https://...")],
            tag: TagOption = None, as_json: JsonOption = False) -> None:
    """Fetch a page, fill an item from its metadata, save it in the inbox and print it."""
    from newsletter.intake.links import add_link, propose_link  # the fetcher: only for this command

    settings = ready_settings()
    proposal = propose_link(url, settings=settings, tags=tag)
    with transaction(settings.database_url) as session:
        item, note = add_link(session=session, proposal=proposal, now=utcnow())
        item_id = item.id
    if as_json:
        print(json.dumps({**proposal.as_json(item_id), "note": note}, ensure_ascii=False, indent=2))
    else:
        print_proposal(proposal, item_id)
    if note:  # saved all the same: the editor decides whether to run the story again
        typer.echo(f"note: {note}; saved as #{item_id} all the same", err=True)


@items_app.command("import-text")
def import_text(
    file: Annotated[Path, typer.Argument(help="Pasted text or HTML of a newsletter or index page; - for stdin.")],
    yes: Annotated[bool, typer.Option("--yes", help="Save every proposed item in the inbox.")] = False,
    language: Annotated[str, typer.Option(help="The items' language code.")] = "en",
    tag: TagOption = None, as_json: JsonOption = False,
) -> None:
    """Propose the items found in pasted text or HTML; with --yes, save them all."""
    try:
        pasted = typer.get_text_stream("stdin").read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(f"{file} cannot be read: {err}") from None
    settings = ready_settings()
    proposals = propose_from_paste(pasted, blurb_chars=settings.blurb_chars, language=language, tags=tag)
    with transaction(settings.database_url) as session:
        notes = seen_notes(session=session, canonical_urls=[p.canonical_url for p in proposals], now=utcnow())
        ids = [save_proposal(session=session, proposal=p).id if yes else None for p in proposals]
    if as_json:
        print(json.dumps([{**p.as_json(i), "note": notes.get(p.canonical_url)} for p, i in zip(proposals, ids)],
                         ensure_ascii=False, indent=2))
        return
    for p, item_id in zip(proposals, ids):
        print_proposal(p, item_id)
        if note := notes.get(p.canonical_url):
            console.print(f"   note: {note}", markup=False)
    count = f"{len(proposals)} item{'s' if len(proposals) != 1 else ''}"
    console.print(f"saved {count} in the inbox" if yes else f"found {count}; run again with --yes to save them",
                  markup=False)


def print_proposal(p: ProposedItem, item_id: int | None = None) -> None:
    """An item, a few lines, as a person reads it."""
    head = f"#{item_id} " if item_id else "- "
    console.print(f"{head}{p.headline}", markup=False)
    for label, value in (("link", p.url or "(none: add it before it goes in an issue)"), ("source", p.source),
                         ("author", p.byline), ("image", p.image_url),
                         ("published", p.published_at and p.published_at.date().isoformat()),
                         ("tags", ", ".join(p.tags)), ("blurb", p.blurb)):
        if value:
            console.print(f"   {label}: {value}", markup=False)
