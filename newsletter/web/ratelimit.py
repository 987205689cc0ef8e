"""A moving-window rate limit per client, shared through Redis when there is one."""

from limits import parse, storage, strategies

from newsletter.config import Settings


class RateLimiter:
    """Allows ``NEWSLETTER_SUBSCRIBE_RATE_LIMIT`` hits per key (a client address)."""

    def __init__(self, settings: Settings):
        self.limit = parse(settings.subscribe_rate_limit)
        backend = storage.storage_from_string(settings.shared_redis_url or "memory://")
        self._limiter = strategies.MovingWindowRateLimiter(backend)

    def allow(self, key: str) -> bool:
        """Count a hit for ``key``; False when it is over the limit."""
        return self._limiter.hit(self.limit, "subscribe", key)
