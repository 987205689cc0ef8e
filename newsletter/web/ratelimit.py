"""A moving-window rate limit per client, shared through Redis when there is one."""

from limits import parse, storage, strategies

from newsletter.config import Settings


class RateLimiter:
    """Allows ``limit`` hits (such as "5/10 minutes") per key (a client address, an account) in
    ``namespace``.

    Either every request is a hit (:meth:`allow`, for subscribing), or only some outcomes are
    (:meth:`exceeded` before acting, :meth:`count` after a failure, for signing in).
    """

    def __init__(self, settings: Settings, *, limit: str, namespace: str):
        self.limit = parse(limit)
        self.namespace = namespace
        backend = storage.storage_from_string(settings.shared_redis_url or "memory://")
        self._limiter = strategies.MovingWindowRateLimiter(backend)

    def allow(self, key: str) -> bool:
        """Count a hit for ``key``; False when it is over the limit."""
        return self._limiter.hit(self.limit, self.namespace, key)

    def exceeded(self, *keys: str) -> bool:
        """True when any of ``keys`` has used up its hits in the window (counts nothing)."""
        return any(not self._limiter.test(self.limit, self.namespace, key) for key in keys)

    def count(self, *keys: str) -> None:
        """Count a hit for each of ``keys``."""
        for key in keys:
            self._limiter.hit(self.limit, self.namespace, key)
