"""Two requests for one address at once (a double-clicked form, two admins) make one
subscriber and one membership, and neither fails on the unique index."""

import threading

import pytest
from sqlalchemy import func, select

from newsletter.db import transaction
from newsletter.db.models import Subscriber, Subscription
from newsletter.subscribers import create_list
from newsletter.subscribers.consent import request_subscription
from newsletter.subscribers.membership import add_subscriber

ROUNDS = 10


def form(url, email):
    with transaction(url) as session:
        request_subscription(session=session, email=email, name=None, list_name="weekly")


def admin(url, email):
    with transaction(url) as session:
        add_subscriber(session=session, email=email, name=None, list_name="weekly", confirmed=True)


def at_once(url, first, second, email):
    """Run ``first`` and ``second`` for ``email`` in two threads released together; their errors."""
    barrier, errors = threading.Barrier(2), []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action(url, email)
        except Exception as err:  # noqa: BLE001 - any failure is what the test reports
            errors.append(err)

    threads = [threading.Thread(target=run, args=(action,)) for action in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.parametrize("first, second", [(form, form), (admin, admin), (form, admin)])
def test_two_requests_for_one_address_at_once_make_one_subscriber(postgres_url, first, second):
    with transaction(postgres_url) as session:
        create_list(session=session, name="weekly")
    errors = []
    for n in range(ROUNDS):
        errors += at_once(postgres_url, first, second, f"p{n}@example.org")
    assert errors == []
    with transaction(postgres_url) as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == ROUNDS
        assert session.scalar(select(func.count()).select_from(Subscription)) == ROUNDS
