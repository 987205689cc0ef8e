"""`newsletter serve`: the web app."""

import ipaddress
from contextlib import nullcontext
from typing import Annotated
from urllib.parse import urlsplit

import typer

from newsletter.cli.app import app, ready_settings
from newsletter.config import Settings
from newsletter.operations.heap import freeze_startup_heap
from newsletter.operations.logging import configure_logging
from newsletter.operations.metrics_dir import use_metrics_dir

EVERY_ADDRESS = ("0.0.0.0", "::")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web app. Without a broker, it also dispatches: scheduled sends go out on time."""
    import uvicorn  # imported here: only serving needs it

    settings = ready_settings()
    use_metrics_dir(settings)  # before the app (and so prometheus_client) is imported
    json_logs = configure_logging(settings)

    from newsletter.web import create_app
    from workers.embedded import embedded_dispatch

    if warning := base_url_warning(settings, host, port):
        typer.echo(f"warning: {warning}", err=True)
    # Client addresses (and so the per-address rate limits) come from X-Forwarded-For only
    # when a proxy we trust sent it; anyone else could pick a fresh address per request.
    proxies = settings.trusted_proxies
    app = create_app(settings)
    freeze_startup_heap()
    # With a broker, Celery workers and beat do the dispatching.
    with nullcontext() if settings.broker_url else embedded_dispatch(settings):
        uvicorn.run(app, host=host, port=port, proxy_headers=bool(proxies),
                    forwarded_allow_ips=proxies or None, log_level="info",
                    **({"log_config": None} if json_logs else {}))  # None: uvicorn's lines go to ours


def base_url_warning(settings: Settings, host: str, port: int) -> str | None:
    """Why the links the app builds would miss this server, in development; None if they would not.

    Only a base URL naming this machine is judged: another name is a proxy's, which may listen
    anywhere.
    """
    if settings.environment != "development":
        return None
    url = urlsplit(settings.base_url)
    url_port = url.port or (443 if url.scheme == "https" else 80)
    if not (_loopback(url.hostname) or url.hostname == host):
        return None
    serves_url_host = host in EVERY_ADDRESS or url.hostname == host or (_loopback(host) and _loopback(url.hostname))
    if url_port == port and serves_url_host:
        return None
    where = f"{url.scheme}://{url.hostname if serves_url_host else host}:{port}"
    return (f"links in pages and emails point at {settings.base_url}, but this server listens on {host}:{port}; "
            f"set NEWSLETTER_BASE_URL={where}")


def _loopback(name: str | None) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name or "").is_loopback
    except ValueError:
        return False
