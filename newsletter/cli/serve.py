"""`newsletter serve`: the web app."""

from typing import Annotated

import typer

from newsletter.cli.app import app, ready_settings


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the public pages: subscribe, confirm, unsubscribe, preferences, archive."""
    import uvicorn  # imported here: only serving needs it

    from newsletter.web import create_app

    settings = ready_settings()
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, log_level="info")
