"""Group commit for SQLite: the reports that arrive together share one durable commit.

SQLite commits one transaction at a time, and with ``synchronous=FULL`` each commit waits for
the disk (an ``fsync`` of the write-ahead log, milliseconds). With one transaction per report the
disk sets the pace: about one report per ``fsync`` whatever the CPU could do (issue 11 asks for
100 chair reports/s). :class:`Batcher` runs the units of work that are waiting when the writer's
turn comes in *one* transaction, each inside its own ``SAVEPOINT`` (a unit that fails is rolled
back alone and its caller gets its exception, exactly as with its own transaction), then commits
once; every caller returns only after that commit, so an acknowledged report is still on disk
before the answer. Units run one after the other in arrival order, so each sees the ones before
it (a second report for a precinct in the same batch is a duplicate or a conflict, as it would
be one transaction later).

No extra thread: the first caller to find no batch running leads one batch; when it is done it
hands the lead to the oldest caller still waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from caucuskit.db.engine import Database

T = TypeVar("T")

#: Most units of work in one transaction (keeps a batch's commit and its callers' wait short).
MAX_BATCH = 64


class _Job(Generic[T]):
    __slots__ = ("done", "error", "fn", "lead", "result", "wake")

    def __init__(self, fn: Callable[[Session], T]) -> None:
        self.fn = fn
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = False
        self.lead = False
        self.wake = threading.Event()


class Batcher:
    """Runs units of work ``fn(session)`` in shared write transactions (see module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.Lock()
        self.pending: list[_Job[object]] = []
        self.leading = False
        self.batches = 0
        self.units = 0

    def run(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` inside a write transaction; returns after that transaction is
        committed, or raises what ``fn`` (or the commit) raised. ``fn`` must not call
        :meth:`run` itself (it would wait for the batch it is part of)."""
        job: _Job[T] = _Job(fn)
        with self.lock:
            self.pending.append(job)  # type: ignore[arg-type]
            if not self.leading:
                self.leading = job.lead = True
        while True:
            if job.lead and not job.done:
                self._lead_one_batch()
            if job.done:
                break
            job.wake.wait()
            job.wake.clear()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _lead_one_batch(self) -> None:
        with self.lock:
            jobs, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
        try:
            self._run(jobs)
        finally:
            with self.lock:
                for job in jobs:
                    job.done = True
                    job.lead = False
                if self.pending:  # the oldest waiting caller leads the next batch
                    self.pending[0].lead = True
                    self.pending[0].wake.set()
                else:
                    self.leading = False
            for job in jobs:
                job.wake.set()

    def _run(self, jobs: list[_Job[object]]) -> None:
        try:
            with self.db.write() as session:
                for job in jobs:
                    try:
                        with session.begin_nested():
                            job.result = job.fn(session)
                    except Exception as exc:  # this unit alone is rolled back
                        job.error = exc
        except BaseException as exc:  # BEGIN or COMMIT failed: nothing of the batch is stored
            for job in jobs:
                if job.error is None:
                    job.error, job.result = exc, None
            if not isinstance(exc, Exception):
                raise
        self.batches += 1
        self.units += len(jobs)
