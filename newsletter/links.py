"""Public links in messages and pages, built from NEWSLETTER_BASE_URL, with signed tokens."""

from newsletter.config import Settings
from newsletter.tokens import Purpose, make_token, token_maker


class Links:
    """Builds the links of one deployment (cheap enough to call per recipient)."""

    def __init__(self, settings: Settings):
        self.base_url = settings.base_url
        self._secret = settings.secret_key
        self._unsubscribe_token = token_maker(settings.secret_key, Purpose.UNSUBSCRIBE)

    def unsubscribe_url(self, subscriber_id: int, list_id: int) -> str:
        """The one-click unsubscribe URL of a subscriber on a list."""
        return f"{self.base_url}/unsubscribe/{self._unsubscribe_token(subscriber_id, list_id)}"

    def confirm_url(self, subscriber_id: int, list_id: int) -> str:
        """The double opt-in confirmation URL (expires)."""
        return f"{self.base_url}/confirm/{make_token(self._secret, Purpose.CONFIRM, subscriber_id, list_id)}"

    def preferences_url(self, subscriber_id: int) -> str:
        """The page where a subscriber manages lists, name and language."""
        return f"{self.base_url}/preferences/{make_token(self._secret, Purpose.PREFERENCES, subscriber_id)}"

    def archive_url(self, slug: str, edition: str | None = None) -> str:
        """The web version of an issue, or of its language ``edition`` (None: the main one)."""
        return f"{self.base_url}/archive/{slug}" + (f"/{edition}" if edition else "")
