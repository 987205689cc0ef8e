"""The global send rate: token buckets in the real Redis (shared) and in-process (embedded)."""

import pytest
from sqlalchemy import update

from newsletter.db import transaction
from newsletter.db.models import Batch, as_utc, utcnow
from newsletter.sending import pending_batch_ids, send_batch
from newsletter.sending.ratelimit import Bucket, RateLimiter, limiter_from_settings
from tests.conftest import make_settings
from tests.sending.helpers import RecordingProvider, add_people, freeze


@pytest.fixture(params=["redis", "in-process"])
def store(request):
    return request.getfixturevalue("redis_url") if request.param == "redis" else None


def per_second(limit, store, **kw):
    return RateLimiter({"test:second": Bucket(limit, 1.0)}, store, **kw)


def test_a_burst_of_one_second_goes_at_once_and_the_rest_waits_its_turn(store):
    limiter = per_second(100, store)
    assert limiter.reserve(100).wait == 0
    second = limiter.reserve(100)
    assert second.granted and 0.9 < second.wait <= 1.0
    third = limiter.reserve(50)
    assert 1.4 < third.wait <= 1.5


def test_a_turn_too_far_off_reserves_nothing(store):
    limiter = per_second(100, store, max_wait=5)
    refused = limiter.reserve(1000)  # 10 s of sending, 9 s beyond the burst
    assert not refused.granted and 8.9 < refused.wait <= 9.0
    assert limiter.reserve(100).wait == 0  # nothing was taken by the refusal


def test_the_hourly_bucket_holds_an_hours_worth_then_spaces_sends(store):
    limiter = RateLimiter({"test:hour": Bucket(3600, 3600.0)}, store)
    assert limiter.reserve(3600).wait == 0
    assert 0.9 < limiter.reserve(1).wait <= 1.0


def test_workers_share_one_bucket_through_redis(redis_url):
    first, second = per_second(100, redis_url), per_second(100, redis_url)  # two workers' limiters
    assert first.reserve(100).wait == 0
    assert 0.9 < second.reserve(100).wait <= 1.0


def test_both_buckets_must_allow_it(store):
    limiter = RateLimiter({"test:second": Bucket(1000, 1.0), "test:hour": Bucket(1000, 3600.0)}, store, max_wait=2)
    assert limiter.reserve(1000).granted
    refused = limiter.reserve(1)  # the second's bucket would allow it in 1 ms; the hour's in 3.6 s
    assert not refused.granted and 3.5 < refused.wait <= 3.6


def test_no_limit_configured_means_no_waiting(tmp_path):
    limiter = limiter_from_settings(make_settings(tmp_path), "smtp")
    assert limiter.reserve(1_000_000).wait == 0


def test_a_batch_whose_turn_is_far_off_goes_back_to_the_queue(small_batches, issue_id):
    add_people(small_batches.database_url, "weekly", ["a@example.org", "b@example.org"])
    send_id, _ = freeze(small_batches, issue_id)
    with transaction(small_batches.database_url) as session:
        [batch_id] = pending_batch_ids(session=session, send_id=send_id)
    limiter = per_second(0.01, None, max_wait=30)  # one message per 100 s
    provider = RecordingProvider()
    outcome = send_batch(settings=small_batches, provider=provider, batch_id=batch_id, limiter=limiter)
    assert outcome.status == "pending" and provider.batches == []
    with transaction(small_batches.database_url) as session:
        batch = session.get(Batch, batch_id)
        assert batch.status == "pending" and (as_utc(batch.retry_at) - utcnow()).total_seconds() > 60
        session.execute(update(Batch).values(retry_at=None))
    assert send_batch(settings=small_batches, provider=provider, batch_id=batch_id, limiter=per_second(100, None)).accepted == 2
