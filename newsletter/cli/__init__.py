"""The `newsletter` command line. Every command reports errors in one line, never a traceback."""

import sys

import click
import typer
from pydantic import ValidationError

from newsletter.cli import db, demo, issues, lists, render, send, sends, serve, subscribers, users  # noqa: F401
from newsletter.cli.app import app
from newsletter.errors import NewsletterError

__all__ = ["app", "main"]


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
    except click.ClickException as err:  # usage errors: print usage and the problem
        err.show()
        sys.exit(err.exit_code)
    except click.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
