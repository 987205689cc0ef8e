"""A batch's progress, written while the provider is still sending it.

A provider that answers recipient by recipient (SMTP) hands its answers to
:class:`BatchProgress` as they come. A thread of the worker writes them in small groups (every
``FLUSH_SECONDS``), so that a worker killed mid-batch leaves pending only the messages in
flight, not everything since the batch began. The same thread beats: it writes the batch's
``heartbeat_at`` every few seconds, and the sweep takes back only batches whose worker went
silent (sending/sweep.py), never a slow one that is alive.

LOCK ORDER as everywhere: the batch row first, then its deliveries.
"""

import logging
import threading
import time
from typing import Self

import orjson
from sqlalchemy import case, text, update
from sqlalchemy.orm import Session

from newsletter.db.engine import one_of, transaction
from newsletter.db.models import Batch, Delivery, utcnow
from newsletter.providers.base import RecipientResult
from newsletter.sending.states import (
    COUNTED,
    DELIVERY_TRANSITIONS,
    B,
    DeliveryStatus,
    lock_batch,
    move_deliveries,
)

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.02  # answers wait at most this long (and a write) before they are recorded


class BatchProgress:
    """Records a claimed batch's answers as they come, and beats, from a thread of its own.

    Use it as a context manager around the claim-to-answer span; ``add`` may be called from
    any thread. ``recorded`` holds the delivery ids already written when the block ends.
    """

    def __init__(self, *, url: str, send_id: int, batch_id: int, number: int, attempt: int,
                 heartbeat_seconds: float):
        self.url, self.send_id, self.batch_id, self.number, self.attempt = url, send_id, batch_id, number, attempt
        self.heartbeat_seconds = heartbeat_seconds
        self.recorded: set[int] = set()
        self.given: dict[int, RecipientResult] = {}  # every final answer handed over, written or not
        self._waiting: list[RecipientResult] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"batch-{batch_id}-progress", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stopped.set()
        self._thread.join()
        self._flush(beat=False)  # what came in since the thread's last write; a failure here is the caller's

    def add(self, results: list[RecipientResult]) -> None:
        """Answers to record soon: accepted and refused recipients (those left for a retry are
        the final record's to write)."""
        final = [r for r in results if not r.retry]
        if final:
            with self._lock:
                self._waiting += final
                self.given.update((r.delivery_id, r) for r in final)

    def _run(self) -> None:
        beaten = time.monotonic()
        while not self._stopped.wait(FLUSH_SECONDS):
            beat = time.monotonic() - beaten >= self.heartbeat_seconds
            with self._lock:
                if not self._waiting and not beat:
                    continue
            try:
                self._flush(beat=beat)
                if beat:
                    beaten = time.monotonic()
            except Exception:  # the database blinked: the answers stay waiting for the next round
                log.warning("batch %s: could not record progress", self.batch_id, exc_info=True)

    def _flush(self, *, beat: bool) -> None:
        with self._lock:
            taken, self._waiting = self._waiting, []
        if not taken and not beat:
            return
        try:
            with transaction(self.url) as session:
                if taken and lock_batch(session, self.send_id, self.number):
                    record_outcomes(session, send_id=self.send_id, number=self.number, results=taken)
                if beat:
                    session.execute(
                        update(Batch)
                        .where(Batch.id == self.batch_id, Batch.attempts == self.attempt,
                               Batch.status.in_((B.SUBMITTING, B.POSTING)))
                        .values(heartbeat_at=utcnow())
                    )
        except Exception:
            with self._lock:
                self._waiting[:0] = taken
            raise
        self.recorded.update(r.delivery_id for r in taken)


def record_outcomes(session: Session, *, send_id: int, number: int, results: list[RecipientResult]) -> None:
    """Write what the provider said of each recipient of batch ``number``: accepted or failed
    (counted on the batch), or, for one left for a retry, only the reason. One statement per
    kind of answer, whatever the message ids (an SMTP message's is its own: a CASE gives each
    row its id): a whole accepted batch is one UPDATE. The caller holds the batch row."""
    now = utcnow()
    groups: dict[tuple[str, str | None], list[RecipientResult]] = {}
    for r in results:
        outcome = "pending" if r.retry else "accepted" if r.accepted else "failed"
        groups.setdefault((outcome, r.error), []).append(r)
    for (outcome, error), answers in groups.items():
        ids = [r.delivery_id for r in answers]
        if outcome == "pending":  # to be retried: only the reason changes
            session.execute(
                update(Delivery)
                .where(Delivery.send_id == send_id, Delivery.batch_number == number,
                       one_of(session, Delivery.id, ids), Delivery.status == "pending")
                .values(error=error, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            continue
        message_ids = {r.provider_message_id for r in answers}
        if len(message_ids) > 1 and session.get_bind().dialect.name == "postgresql":
            _move_with_own_ids(session, send_id=send_id, number=number, to=DeliveryStatus(outcome), error=error,
                               answers=answers, now=now)
            continue
        message_id = message_ids.pop() if len(message_ids) == 1 else case(
            {r.delivery_id: r.provider_message_id for r in answers}, value=Delivery.id)
        # Confined to the batch's own rows, whatever the id list holds.
        move_deliveries(session, send_id=send_id, batch_number=number, where=[one_of(session, Delivery.id, ids)],
                        from_=DeliveryStatus.PENDING, to=DeliveryStatus(outcome), provider_message_id=message_id,
                        error=error)


# SMTP's answers each carry their own Message-ID, and arrive in small groups every
# FLUSH_SECONDS. On PostgreSQL the group goes as one JSON parameter to one statement that moves
# the deliveries (as move_deliveries would, confined to the batch) and counts the move on the
# batch: the same text whatever the group's size, so SQLAlchemy and PostgreSQL prepare it
# once. (A CASE of one branch per answer made a new statement each time, and building and
# compiling the two statements cost ~2.5 ms of CPU a group: more than sending it.)
_MOVE_WITH_OWN_IDS = {to: text(
    "WITH moved AS (UPDATE deliveries d SET status = :to, provider_message_id = a.message_id, error = :error, "
    "updated_at = :now FROM json_to_recordset(CAST(:answers AS json)) AS a(id int, message_id text) "
    "WHERE d.id = a.id AND d.send_id = :send AND d.batch_number = :number AND d.status = 'pending' RETURNING 1) "
    f"UPDATE batches SET {to.value} = {to.value} + (SELECT count(*) FROM moved) "
    "WHERE send_id = :send AND number = :number"
) for to in (DeliveryStatus.ACCEPTED, DeliveryStatus.FAILED)}


def _move_with_own_ids(session: Session, *, send_id: int, number: int, to: DeliveryStatus, error: str | None,
                       answers: list[RecipientResult], now) -> None:
    """PostgreSQL: move a batch's pending ``answers`` to ``to``, each with its own message id."""
    if to not in DELIVERY_TRANSITIONS[DeliveryStatus.PENDING] or to not in COUNTED:
        raise ValueError(f"a delivery cannot go from pending to {to} here")
    rows = orjson.dumps([{"id": r.delivery_id, "message_id": r.provider_message_id} for r in answers]).decode()
    session.execute(_MOVE_WITH_OWN_IDS[to], {"to": to.value, "error": error, "now": now, "answers": rows,
                                             "send": send_id, "number": number})
