"""Rendered public pages, kept per worker: a page is rendered at most once per published
version and, while results change faster than that, at most once per ``interval`` seconds.

Why: a page is cheap to answer with 304 but a render costs tens of milliseconds of CPU (the
state page of Iowa draws 99 counties and a map). On a busy night the published version changes
with every accepted report, dozens of times a second, so without this every poll of a page
would render it again, in the worker's event loop, and the chairs' reports would wait for the
CPU (issue 11; the drill measured the state page at a tenth of the server's CPU). The JSON
documents are never held back: they are published with every report (ADR 0010); only the HTML
view of them may be up to ``interval`` seconds behind (docs/pages.md). Each kept page carries
the ETag of the version it shows, so a reader's 304 is always about the bytes it holds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: Most rendered pages one worker keeps (the least recently used go first).
MAX_PAGES = 512


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendered page: the version it shows, its ETag, the HTML, when it was rendered."""

    stamp: str
    etag: str
    body: bytes
    at: float


class PageCache:
    """The worker's rendered pages by key (URL and template); see the module doc."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.max_pages = max_pages
        self._pages: OrderedDict[tuple[str, ...], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def usable(self, key: tuple[str, ...], stamp: str) -> Rendered | None:
        """The kept page for ``key`` if it shows ``stamp``, or was rendered less than
        ``interval`` seconds ago (then it may show an earlier version); else None."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.stamp == stamp or self.clock() - page.at < self.interval:
                self._pages.move_to_end(key)
                return page
            return None

    def keep(self, key: tuple[str, ...], stamp: str, etag: str, body: bytes) -> Rendered:
        page = Rendered(stamp, etag, body, self.clock())
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        return page

    def __len__(self) -> int:
        return len(self._pages)
