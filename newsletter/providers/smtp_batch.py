"""One SMTP batch's messages, shared by the lanes (coroutines, one per connection, on the
process's event loop) sending them: the due ones, the ones held back after a refusal, and the
answers.

A refused message (a 4xx, a dropped connection) is held back for ``HOLD_BACK`` seconds, twice
that the second time, while the rest go on; after ``TRIES`` offers it stays pending for the
batch's retry. A batch never waits longer than that for one message, and a short hold matters:
a batch's last messages wait for its held ones (a worker sends one batch at a time), so a
0.5 s hold cost a relay refusing 3% of messages a fifth of its rate.
"""

import asyncio
import heapq
import itertools
import time
from collections import Counter, deque

from newsletter.errors import TransientProviderError
from newsletter.providers.base import Recipient, RecipientResult

HOLD_BACK = 0.1  # seconds a refused message waits before it is offered again; doubled each time
TRIES = 3  # offers of one message within a batch


class BatchWork:
    """The batch's messages and answers, shared by its ``lanes`` (on one event loop: no locks)."""

    def __init__(self, recipients: list[Recipient], *, lanes: int):
        self.lanes = lanes
        self._live = lanes
        self._due = deque(recipients)
        self._held: list[tuple[float, int, Recipient]] = []  # a heap: (when due again, order, recipient)
        self._order = itertools.count()
        self._tries: Counter[int] = Counter()
        self._unanswered = {r.delivery_id for r in recipients}
        self._answers: list[RecipientResult] = []
        self._error: BaseException | None = None
        self._changed = asyncio.Event()  # set when a lane may find something new to do

    @property
    def stopped(self) -> bool:
        """Whether the batch was stopped (the relay unreachable or refusing, our login refused)."""
        return self._error is not None

    async def take(self) -> Recipient | None:
        """The next message to offer, waiting for a held-back one if need be; None when every
        message is answered or the batch is stopped."""
        while True:
            if self._error is not None or not self._unanswered:
                return None
            now = time.monotonic()
            while self._held and self._held[0][0] <= now:
                self._due.append(heapq.heappop(self._held)[2])
            if self._due:
                return self._due.popleft()
            # the rest are in flight on other connections, or held back
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), self._held[0][0] - now if self._held else None)
            except TimeoutError:
                pass

    def put_back(self, recipient: Recipient) -> None:
        """Return a message not offered (its lane had no connection)."""
        self._due.appendleft(recipient)
        self._changed.set()

    def answer(self, result: RecipientResult) -> None:
        """Record the relay's final answer for one message."""
        self._answers.append(result)
        self._unanswered.discard(result.delivery_id)
        self._changed.set()

    def hold_back(self, recipient: Recipient, error: str, *, smtp_code: int | None = None) -> None:
        """The relay refused ``recipient``'s message for now: offer it again shortly, or, after
        ``TRIES`` offers, leave it pending for the batch's retry."""
        self._tries[recipient.delivery_id] += 1
        tries = self._tries[recipient.delivery_id]
        if tries < TRIES:
            due = time.monotonic() + HOLD_BACK * 2 ** (tries - 1)
            heapq.heappush(self._held, (due, next(self._order), recipient))
            self._changed.set()
            return
        self.answer(RecipientResult(recipient.delivery_id, False, error=error, retry=True, smtp_code=smtp_code))

    def lane_gone(self, error: TransientProviderError) -> None:
        """A lane stopped for want of a connection; when the last one does, the batch stops."""
        self._live -= 1
        if self._live == 0:
            self.abort(error)

    def abort(self, error: BaseException) -> None:
        """Stop the batch: messages in flight are answered, the others are left pending."""
        self._error = self._error or error
        self._changed.set()

    def results(self) -> list[RecipientResult]:
        """Every message's answer, those never answered left pending for a retry. A stopped
        batch raises its error instead when nothing was settled (or the error is not a passing
        one): the caller then knows the whole batch's fate."""
        error = self._error
        settled = any(not r.retry for r in self._answers)
        if error is not None and (not isinstance(error, TransientProviderError) or not settled):
            raise error
        reason = str(error) if error else "not sent"
        return self._answers + [RecipientResult(delivery_id, False, error=reason, retry=True)
                                for delivery_id in sorted(self._unanswered)]
