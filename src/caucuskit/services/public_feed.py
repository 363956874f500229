"""The public feed of one worker: the newest published document set, kept current by two
background threads (``caucus serve``), or caught up on demand (in-process use).

Rule: rules.md §9 (readers never wait: docs/adr/0007-incremental-public-snapshot.md). One
thread publishes the accepted reports (at most one build every ``MIN_BUILD_SECONDS``); the
other follows with the race panel, whose search runs outside the builder's lock, so a report
never waits for it (issue 11, docs/adr/0014-reports-before-reads.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from caucuskit.services.context import Context
from caucuskit.services.snapshot import (
    MIN_BUILD_SECONDS,
    POLL_SECONDS,
    RACE_SECONDS,
    Builder,
    DocumentSet,
    Encoded,
    results_version,
)

log = logging.getLogger(__name__)


class PublicFeed:
    """What the public API, the pages and ``publish`` read: the newest :class:`DocumentSet`."""

    def __init__(self, ctx: Context, *, race: bool = True) -> None:
        self.ctx = ctx
        self.builder = Builder(ctx, race=race)
        self._thread: threading.Thread | None = None
        self._race: threading.Thread | None = None
        self._stop = threading.Event()
        self.errors = 0

    # ------------------------------------------------------------------ reading
    @property
    def published(self) -> DocumentSet | None:
        """The newest set, without lock or query (None before the first build)."""
        return self.builder.published

    def current(self) -> DocumentSet:
        """The newest set. Background mode: whatever is published (built once if nothing is
        yet). Synchronous mode: caught up with the database first."""
        pub = self.builder.published
        if self._thread is not None and pub is not None:
            return pub
        with self.ctx.db.read() as s:
            version, _ = results_version(s)
        if pub is not None and pub.version == version:
            return pub
        return self.builder.catch_up(version)

    def entry(self, path: str) -> Encoded:
        return self.current().get(path)

    def document(self, path: str) -> tuple[dict[str, Any], str]:
        """(document, ETag) of a public path like ``counties/adair`` (docs/api.md)."""
        e = self.entry(path)
        return dict(e.doc), e.etag

    def encoded(self, path: str) -> tuple[dict[str, Any], bytes, str]:
        e = self.entry(path)
        return dict(e.doc), e.body, e.etag

    # ------------------------------------------------------------------ background
    @property
    def background(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Build now and keep building in daemon threads (``caucus serve``): one publishes the
        reports, one follows with the race panel."""
        if self._thread is not None:
            return
        self.builder.catch_up(with_race=True)
        self._thread = threading.Thread(target=self._loop, name="caucus-snapshot", daemon=True)
        self._race = threading.Thread(target=self._race_loop, name="caucus-race", daemon=True)
        self._thread.start()
        self._race.start()

    def stop(self) -> None:
        self._stop.set()
        for t in (self._thread, self._race):
            if t is not None:
                t.join(timeout=5)
        self._thread = self._race = None
        self._stop = threading.Event()

    def _loop(self) -> None:
        """Publish the accepted reports: at most one build every MIN_BUILD_SECONDS."""
        stop = self._stop
        b = self.builder
        built_at = 0.0
        while not stop.wait(POLL_SECONDS):
            try:
                if time.monotonic() - built_at < MIN_BUILD_SECONDS:
                    continue  # let reports gather: one build covers them all
                with self.ctx.db.read() as s:
                    version, _ = results_version(s)
                pub = b.published
                if pub is None or pub.version != version:
                    b.catch_up(version, with_race=False)
                    built_at = time.monotonic()
            except Exception:  # keep serving the last good set; say so in the log
                self.errors += 1
                log.exception("snapshot builder failed; serving the previous set")

    def _race_loop(self) -> None:
        """Bring the race panel up to date once reports pause for MIN_BUILD_SECONDS, or at
        least every RACE_SECONDS while they keep coming."""
        stop = self._stop
        b = self.builder
        seen, quiet_since = -1, time.monotonic()
        while not stop.wait(POLL_SECONDS):
            try:
                pub = b.published
                now = time.monotonic()
                if pub is not None and pub.version != seen:
                    seen, quiet_since = pub.version, now
                if b.race_stale and (
                    now - quiet_since >= MIN_BUILD_SECONDS or now - b.race_at > RACE_SECONDS
                ):
                    b.refresh_race()
            except Exception:  # keep the last good panel; say so in the log
                self.errors += 1
                log.exception("race panel failed; serving the previous one")

    def watch(self, stop: threading.Event | None = None) -> Iterator[DocumentSet]:
        """Yield the current set, then each newer one as it is published (``publish --watch``)."""
        stop = stop or threading.Event()
        last: DocumentSet | None = None
        while not stop.is_set():
            pub = self.current()
            if pub is not last:
                last = pub
                yield pub
            stop.wait(POLL_SECONDS)
