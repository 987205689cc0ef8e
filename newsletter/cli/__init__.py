"""The `newsletter` command line. Every command reports errors in one line, never a traceback."""

import sys

import typer
from pydantic import ValidationError

from newsletter.cli import (  # noqa: F401
    db,
    demo,
    doctor,
    feeds,
    issues,
    items,
    lists,
    render,
    send,
    sends,
    serve,
    subscribers,
    suppressions,
    users,
)
from newsletter.cli.app import app
from newsletter.errors import NewsletterError

__all__ = ["app", "main"]

# Typer up to 0.2x raises click's own exceptions; later releases vendor click as typer._click,
# whose classes click's `except` clauses do not catch. typer.BadParameter is whichever the
# installed release raises, so its ClickException base catches every usage error of either.
_CLICK_ERROR = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")


def main() -> None:
    """Entry point of the `newsletter` command."""
    try:
        code = app(standalone_mode=False)
    except NewsletterError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
    except ValidationError as err:  # the settings object refusing the environment
        typer.echo(f"configuration error: {err}", err=True)
        sys.exit(1)
    except _CLICK_ERROR as err:
        _show_usage_error(err)
        sys.exit(err.exit_code)
    except typer.Abort:  # Ctrl-C or end of input at a prompt, which left its line unfinished
        typer.echo("\naborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _show_usage_error(err: Exception) -> None:
    """The problem in one line, and where the help is; the help itself for a bare group."""
    if type(err).__name__ == "NoArgsIsHelpError":  # `newsletter` or `newsletter sends` alone
        err.show()
        return
    typer.echo(f"error: {err.format_message()}", err=True)
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        typer.echo(f"try `{ctx.command_path} --help`", err=True)
