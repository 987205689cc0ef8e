"""`newsletter serve`: the web app."""

from contextlib import nullcontext
from typing import Annotated

import typer

from newsletter.cli.app import app, ready_settings


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web app. Without a broker, it also dispatches: scheduled sends go out on time."""
    import uvicorn  # imported here: only serving needs it

    from newsletter.web import create_app
    from workers.embedded import embedded_dispatch

    settings = ready_settings()
    # With a broker, Celery workers and beat do the dispatching.
    with nullcontext() if settings.broker_url else embedded_dispatch(settings):
        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, log_level="info")
