"""Reports before reads: public reads wait their turn while chairs are reporting (ADR 0014).

Rule: rules.md §9 (the night must hold): on caucus night what cannot wait is a chair's report;
a public reader polling ``state`` can take its answer a few milliseconds later. A worker that
answers every public poll as fast as the clients send them spends its CPU on the storm and the
chairs queue behind it (issue 11: 8,000–10,000 reads/s left 50–70 reports/s on two cores).

:class:`ReadPacer` is one worker's turnstile for public reads:

* *Quiet* (no write request seen in this worker and no new results version published for
  :data:`HOLD_SECONDS`): reads pass at once, unlimited.
* *Reporting*: reads are spaced at ``rate`` per second in this worker
  (``CAUCUS_PUBLIC_READS_WHILE_REPORTING``). A read whose turn is later than now sleeps until
  then; the sleeping costs no CPU, so the chairs get it. A worker too busy to wake a read on
  time does not make up the missed turns later.
* A read whose turn would be more than :data:`MAX_WAIT_SECONDS` away is not queued at all: it is
  answered 503 with ``Retry-After`` (the storm is larger than the service should absorb; nginx or
  a CDN over ``caucus publish`` is the place for it, docs/deploy.md).

"Reporting" is seen from two sides: a write request (any method but GET/HEAD/OPTIONS) through
this worker, and a new results version in the published set, which is how a worker learns of the
reports other workers accepted. Nothing is shared between workers but the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: How long after the last write or new version the worker still counts as reporting (s).
HOLD_SECONDS = 1.0
#: Longest a public read may wait for its turn before it is answered 503 (seconds).
MAX_WAIT_SECONDS = 0.5


class ReadPacer:
    """Spaces one worker's public reads while reports are arriving (module doc).

    ``rate`` is reads per second for this worker; 0 turns pacing off. ``clock`` is monotonic
    seconds (a parameter for the tests).
    """

    def __init__(
        self,
        rate: float,
        *,
        hold: float = HOLD_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.hold, self.max_wait, self.clock = hold, max_wait, clock
        self.busy_until = float("-inf")
        self.next_turn = float("-inf")
        self.version: int | None = None
        self.waited = 0
        self.refused = 0

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    def note_write(self) -> None:
        """A write request came through this worker: reports are arriving."""
        self.busy_until = self.clock() + self.hold

    def note_version(self, version: int) -> None:
        """The published set is at ``version``; a change means reports were accepted
        (in any worker)."""
        if version != self.version:
            if self.version is not None:
                self.note_write()
            self.version = version

    def reporting(self) -> bool:
        return self.clock() < self.busy_until

    def reserve(self) -> float | None:
        """Take the next turn: seconds to wait before answering (0: now), or None when the
        turn is too far away (answer 503)."""
        if not self.interval:
            return 0.0
        now = self.clock()
        if now >= self.busy_until:
            self.next_turn = now
            return 0.0
        turn = max(now, self.next_turn)
        wait = turn - now
        if wait > self.max_wait:
            self.refused += 1
            return None
        self.next_turn = turn + self.interval
        if wait > 0:
            self.waited += 1
        return wait

    async def turn(self) -> bool:
        """Wait for this read's turn; False when it should be refused instead."""
        wait = self.reserve()
        if wait is None:
            return False
        if wait > 0:
            await asyncio.sleep(wait)
        return True
