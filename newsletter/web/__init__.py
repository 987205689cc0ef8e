"""The web app (FastAPI): subscribe, confirm, unsubscribe, preferences, the archive."""

from newsletter.web.app import create_app

__all__ = ["create_app"]
