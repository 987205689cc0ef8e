"""`newsletter feeds add|list|remove|poll`: the feeds whose new entries become inbox items."""

from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from newsletter.cli.app import app, console, ready_settings
from newsletter.db import transaction
from newsletter.db.models import as_utc
from newsletter.intake.sources import FeedDraft, add_feed, list_feeds, remove_feed

if TYPE_CHECKING:
    from newsletter.intake.polling import PollOutcome

feeds_app = typer.Typer(help="Feed sources: add, list, remove, poll.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
OPTIONS = {"name": "--name", "tags": "--tag", "language": "--language", "keywords": "--keyword", "poll_minutes": "--every"}


@feeds_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The feed's link (RSS, Atom or JSON Feed).")],
    name: Annotated[str, typer.Option(help="What the inbox calls its items' source.")],
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag for its items (repeat for more).")] = None,
    language: Annotated[str, typer.Option(help="Its items' language code.")] = "en",
    keyword: Annotated[list[str] | None, typer.Option(
        "--keyword", help="Only entries mentioning this (repeat for more); none: every entry.")] = None,
    every: Annotated[int | None, typer.Option(help="Minutes between polls (default NEWSLETTER_FEED_POLL_MINUTES).")] = None,
) -> None:
    """Add a feed source; it is polled at the next round."""
    try:
        draft = FeedDraft(url=url, name=name, tags=tag or [], language=language, keywords=keyword or [],
                          poll_minutes=every)
    except ValidationError as err:  # a usage mistake: exit 2, naming the option
        problem = err.errors()[0]
        raise typer.BadParameter(problem["msg"].removeprefix("Value error, "),
                                 param_hint=OPTIONS.get(str(problem["loc"][0]), "URL")) from None
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        feed_id = add_feed(session=session, draft=draft).id
    console.print(f"added feed {feed_id}: {draft.name}", markup=False)


@feeds_app.command("list")
def list_() -> None:
    """Every feed source, with when it was last polled and its last error."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        feeds = list_feeds(session=session)
        rows = [(str(f.id), f.name, f.url, ", ".join(f.tags), str(f.items_added),
                 as_utc(f.last_polled_at).strftime("%Y-%m-%d %H:%M") if f.last_polled_at else "never",
                 f.last_error or "") for f in feeds]
    table = Table("id", "name", "url", "tags", "items", "last polled (UTC)", "last error")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@feeds_app.command("remove")
def remove(feed_id: Annotated[int, typer.Argument(help="The feed's id (see `newsletter feeds list`).")]) -> None:
    """Stop polling a feed; the items it brought stay in the inbox."""
    settings = ready_settings()
    with transaction(settings.database_url) as session:
        name = remove_feed(session=session, feed_id=feed_id).name
    console.print(f"removed feed {feed_id}: {name}", markup=False)


@feeds_app.command("poll")
def poll(every: Annotated[bool, typer.Option("--all", help="Poll every feed, due or not.")] = False) -> None:
    """Poll the due feeds now, in the foreground, and say what each brought."""
    from newsletter.intake.polling import poll_due_feeds  # the fetcher: only for this command

    outcomes = poll_due_feeds(settings=ready_settings(), every=every)
    for o in outcomes:
        console.print(f"{o.name}: {_said(o)}", markup=False)
    console.print(f"polled {len(outcomes)} feed{'s' if len(outcomes) != 1 else ''}, "
                  f"{sum(o.added for o in outcomes)} new item{'s' if sum(o.added for o in outcomes) != 1 else ''}",
                  markup=False)


def _said(o: "PollOutcome") -> str:
    """What one feed's poll did, in a few words."""
    if o.error:
        return f"error: {o.error}"
    if o.unchanged:
        return "unchanged"
    return f"{o.added} new" + (f" ({o.unlinked} without a link: add it in the inbox)" if o.unlinked else "") \
        + (f", {o.left} more at the next poll" if o.left else "")
