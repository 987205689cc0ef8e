"""The global send rate: token buckets shared by every worker, in Redis.

Each bucket (messages per second, messages per hour) is kept as one number, its theoretical
arrival time (the generic cell rate algorithm): reserving ``n`` messages moves it ``n``
emission intervals on, and the caller may send once it is no more than one period ahead of
now. A batch of 1000 against 100/s therefore waits 9 s, and a second worker's batch queues
behind it. Both buckets are checked and reserved in one Lua script, on Redis's clock, so
workers on any number of machines share the rate exactly. Without Redis (the embedded
mode) the same arithmetic runs in-process.
"""

import threading
import time
from dataclasses import dataclass

import redis

from newsletter.config import Settings

# The longest a worker waits for its turn; a batch further back goes back to the queue.
MAX_WAIT = 30.0

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local n, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait, tats = 0, {}
for i, key in ipairs(KEYS) do
  local interval, period = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  local tat = math.max(tonumber(redis.call('GET', key) or '0'), now) + n * interval
  tats[i] = tat
  wait = math.max(wait, tat - period - now)
end
if wait > max_wait then return {0, tostring(wait)} end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, tostring(tats[i]), 'PX', math.ceil((tats[i] - now) * 1000) + 1)
end
return {1, tostring(wait)}
"""


@dataclass(frozen=True)
class Reservation:
    """``granted``: send after ``wait`` seconds. Not granted: the turn is ``wait`` seconds
    away, too far to hold a worker; nothing was reserved."""

    granted: bool
    wait: float


@dataclass(frozen=True)
class Bucket:
    """``limit`` messages per ``period`` seconds."""

    limit: float
    period: float

    @property
    def interval(self) -> float:
        """Seconds each message adds to the bucket."""
        return self.period / self.limit


class RateLimiter:
    """Reserves send slots for batches; shared through Redis when there is one."""

    def __init__(self, buckets: dict[str, Bucket], redis_url: str | None, *, max_wait: float = MAX_WAIT):
        self.buckets = buckets
        self.max_wait = max_wait
        self._redis = redis.Redis.from_url(redis_url) if redis_url else None
        self._script = self._redis.register_script(_RESERVE) if self._redis else None
        self._local: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, count: int) -> Reservation:
        """Reserve ``count`` messages in every bucket, if the wait is at most ``max_wait``."""
        if not self.buckets or count <= 0:
            return Reservation(True, 0.0)
        if self._script is not None:
            args = [count, self.max_wait]
            for bucket in self.buckets.values():
                args += [bucket.interval, bucket.period]
            granted, wait = self._script(keys=list(self.buckets), args=args)
            return Reservation(bool(granted), max(0.0, float(wait)))
        return self._reserve_locally(count)

    def _reserve_locally(self, count: int) -> Reservation:
        with self._lock:
            now = time.time()
            tats = {key: max(self._local.get(key, 0.0), now) + count * b.interval for key, b in self.buckets.items()}
            wait = max(0.0, *(tats[key] - b.period - now for key, b in self.buckets.items()))
            if wait > self.max_wait:
                return Reservation(False, wait)
            self._local.update(tats)
            return Reservation(True, wait)


def limiter_from_settings(settings: Settings, provider_name: str) -> RateLimiter:
    """The limiter for ``provider_name`` configured by NEWSLETTER_RATE_LIMIT_PER_*."""
    buckets = {}
    if settings.rate_limit_per_second:
        buckets[f"newsletter:rate:{provider_name}:second"] = Bucket(settings.rate_limit_per_second, 1.0)
    if settings.rate_limit_per_hour:
        buckets[f"newsletter:rate:{provider_name}:hour"] = Bucket(settings.rate_limit_per_hour, 3600.0)
    return RateLimiter(buckets, settings.shared_redis_url if buckets else None)
