"""A moving-window rate limit per client, shared through Redis when there is one."""

from limits import parse, storage, strategies

from newsletter.config import Settings


class RateLimiter:
    """Allows ``limit`` hits (such as "5/10 minutes") per key (a client address) in ``namespace``."""

    def __init__(self, settings: Settings, *, limit: str, namespace: str):
        self.limit = parse(limit)
        self.namespace = namespace
        backend = storage.storage_from_string(settings.shared_redis_url or "memory://")
        self._limiter = strategies.MovingWindowRateLimiter(backend)

    def allow(self, key: str) -> bool:
        """Count a hit for ``key``; False when it is over the limit."""
        return self._limiter.hit(self.limit, self.namespace, key)
