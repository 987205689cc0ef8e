"""Public links in messages, built from NEWSLETTER_BASE_URL, with signed tokens."""

from itsdangerous import URLSafeSerializer

from newsletter.config import Settings

UNSUBSCRIBE_PURPOSE = "unsubscribe"


class Links:
    """Builds the per-recipient links of one deployment (cheap to call per recipient)."""

    def __init__(self, settings: Settings):
        self.base_url = settings.base_url
        self._unsubscribe = URLSafeSerializer(settings.secret_key, salt=UNSUBSCRIBE_PURPOSE)

    def unsubscribe_url(self, subscriber_id: int, list_id: int) -> str:
        """The one-click unsubscribe URL: a token signed for this subscriber and list."""
        return f"{self.base_url}/unsubscribe/{self._unsubscribe.dumps([subscriber_id, list_id])}"

    def archive_url(self, slug: str) -> str:
        """The web version of an issue."""
        return f"{self.base_url}/archive/{slug}"
