"""The public during the night: readers polling the public JSON and pages with ETags.

Rule: rules.md §9 (the public saw partial, inconsistent numbers in 2020; readers must never slow
the reporting). The readers run in a process of their own so that their work does not delay the
drill's own clock and the submissions it times; each reader stands for many people refreshing.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from caucuskit.drill.client import PATHS, tls
from caucuskit.drill.lean_http import LeanClient, LeanHTTPError


@dataclass
class ReaderStats:
    """What the readers saw (times in seconds since the drill's start, ``t0``)."""

    per_second: Counter[int] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    reporting: list[tuple[float, int, int]] = field(default_factory=list)
    not_modified: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "per_second": dict(self.per_second),
            "statuses": dict(self.statuses),
            "latencies_ms": self.latencies_ms,
            "reporting": self.reporting,
            "not_modified": self.not_modified,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReaderStats:
        return cls(
            Counter(d["per_second"]),
            Counter(d["statuses"]),
            list(d["latencies_ms"]),
            [(float(a), int(b), int(c)) for a, b, c in d["reporting"]],
            int(d["not_modified"]),
        )


async def _reader(
    i: int,
    base: str,
    docs: list[str],
    t0: float,
    until: float,
    stop: Any,
    stats: ReaderStats,
    seed: int,
) -> None:
    rng = random.Random(seed * 7919 + i)
    etags: dict[str, str] = {}
    c = LeanClient(base, f"127.30.{i // 250}.{i % 250 + 1}", tls())
    n = 0
    try:
        while time.monotonic() < until:
            n += 1
            if n % 20 == 0 and stop.is_set():
                return
            doc = docs[0] if rng.random() < 0.4 else rng.choice(docs)
            path = doc if doc.startswith("/") else f"{PATHS['public']}/{doc}"
            started = time.monotonic()
            try:
                r = await c.get(path, etags.get(doc))
            except LeanHTTPError:
                stats.statuses[0] += 1
                await asyncio.sleep(0.05)
                continue
            stats.statuses[r.status] += 1
            stats.per_second[int(started - t0)] += 1
            stats.latencies_ms.append((time.monotonic() - started) * 1000)
            if r.status == 304:
                stats.not_modified += 1
            elif r.status == 200:
                if r.etag:
                    etags[doc] = r.etag
                if doc == "state":
                    p = json.loads(r.body()).get("precincts", {})
                    stats.reporting.append(
                        (started - t0, int(p.get("reporting", 0)), int(p.get("total", 0)))
                    )
            elif r.status >= 500:
                await asyncio.sleep(0.05)
    finally:
        await c.close()


def _main(
    base: str, docs: list[str], n: int, t0: float, seconds: float, stop: Any, out: Any, seed: int
) -> None:
    stats = ReaderStats()
    until = time.monotonic() + seconds

    async def go() -> None:
        await asyncio.gather(
            *[_reader(i, base, docs, t0, until, stop, stats, seed) for i in range(n)]
        )

    try:  # the readers' own CPU is taken from the server's on a small machine
        import uvloop

        uvloop.run(go())
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard] on POSIX
        asyncio.run(go())
    out.put(stats.to_dict())


class Readers:
    """``n`` readers in a child process, from :meth:`start` until :meth:`finish` (or at most
    ``seconds``)."""

    def __init__(
        self, base: str, docs: list[str], n: int, t0: float, seconds: float, seed: int
    ) -> None:
        ctx = mp.get_context("spawn")
        self._stop = ctx.Event()
        self._out: Any = ctx.Queue()
        self._proc = ctx.Process(
            target=_main,
            args=(base, docs, n, t0, seconds, self._stop, self._out, seed),
            daemon=True,
        )
        self.n = n

    def start(self) -> None:
        if self.n:
            self._proc.start()

    def finish(self, timeout: float = 60) -> ReaderStats:
        if not self.n:
            return ReaderStats()
        self._stop.set()
        try:
            data = self._out.get(timeout=timeout)
        except Exception:  # queue.Empty: the child died; report nothing rather than hang
            data = None
        self._proc.join(timeout=10)
        if self._proc.is_alive():
            self._proc.kill()
        return ReaderStats() if data is None else ReaderStats.from_dict(data)
