"""What the drill measures: every exchange by kind and status, latencies over time, the curves
of arrivals, readiness and percent reporting, refusals by reason, the faults played.

Rule: rules.md §9 (the party must know during the night how many chairs are ready, what has
arrived and what is refused). Times are real seconds since the start of the night.
"""

from __future__ import annotations

import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from caucuskit.drill.client import Answer

#: Exchanges whose latency is a submission's latency (a report sent, an answer with a receipt).
SUBMISSIONS = frozenset({"chair", "operator"})


def percentile(values: list[float] | array[float], q: float) -> float | None:
    """The ``q``-quantile (0..1) by the nearest-rank method; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))
    return float(ordered[k])


@dataclass
class Metrics:
    t0: float = field(default_factory=time.monotonic)
    exchanges: Counter[tuple[str, int]] = field(default_factory=Counter)
    submit_t: array[float] = field(default_factory=lambda: array("d"))
    submit_ms: array[float] = field(default_factory=lambda: array("d"))
    public_ms: array[float] = field(default_factory=lambda: array("d"))
    public_per_second: Counter[int] = field(default_factory=Counter)
    accepted_at: list[float] = field(default_factory=list)
    visible: list[tuple[float, float]] = field(default_factory=list)
    invisible: int = 0
    reporting: list[tuple[float, int, int]] = field(default_factory=list)
    readiness: list[tuple[float, int]] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    malformed: Counter[str] = field(default_factory=Counter)
    flood: Counter[int] = field(default_factory=Counter)
    real_actor_throttled: int = 0
    server_errors: list[tuple[float, str, int]] = field(default_factory=list)
    faults: list[tuple[float, str, float]] = field(default_factory=list)
    retries: int = 0
    night_end: float = 0.0
    notes: list[str] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.t0

    def observe(self, kind: str, a: Answer) -> None:
        """Called for every exchange (see :class:`caucuskit.drill.client.Api`)."""
        self.exchanges[(kind, a.status)] += 1
        at = a.started - self.t0
        if a.status >= 500:  # when the answer came (a request sent just before a fault
            self.server_errors.append((at + a.elapsed, kind, a.status))  # fails during it)
        if kind in SUBMISSIONS and a.status:
            self.submit_t.append(at)
            self.submit_ms.append(a.elapsed * 1000)
        elif kind == "public" and a.status:
            self.public_per_second[int(at)] += 1
            self.public_ms.append(a.elapsed * 1000)

    def public_rate(self, start: float, end: float) -> float:
        """Public reads answered per second between ``start`` and ``end``."""
        span = max(end - start, 1e-9)
        n = sum(v for s, v in self.public_per_second.items() if start <= s < end)
        return n / span

    def summary(self) -> dict[str, Any]:
        """The figures of the report (times in ms, rates per second)."""
        vis = [v for _, v in self.visible]
        end = self.night_end or self.now()
        total_5xx = Counter(s for _, _, s in self.server_errors)
        by_kind: dict[str, dict[str, int]] = {}
        for (kind, status), n in sorted(self.exchanges.items()):
            by_kind.setdefault(kind, {})[str(status)] = n
        acc = sorted(self.accepted_at)
        peak10 = 0
        j = 0
        for i, t in enumerate(acc):
            while acc[j] < t - 10:
                j += 1
            peak10 = max(peak10, i - j + 1)
        return {
            "sent": sum(self.exchanges.values()),
            "exchanges": by_kind,
            "outcomes": dict(sorted(self.outcomes.items())),
            "refused": dict(sorted(self.refused.items())),
            "malformed": dict(sorted(self.malformed.items())),
            "flood": {str(k): v for k, v in sorted(self.flood.items())},
            "real_actors_throttled": self.real_actor_throttled,
            "retries": self.retries,
            "submission_ms": {
                "n": len(self.submit_ms),
                "p50": percentile(self.submit_ms, 0.5),
                "p99": percentile(self.submit_ms, 0.99),
                "max": max(self.submit_ms) if self.submit_ms else None,
            },
            "report_to_visible_ms": {
                "n": len(vis),
                "p50": percentile(vis, 0.5),
                "p99": percentile(vis, 0.99),
                "max": max(vis) if vis else None,
                "never_seen": self.invisible,
            },
            "public": {
                "reads": len(self.public_ms),
                "per_second_night": round(self.public_rate(0, end), 1),
                "p50_ms": percentile(self.public_ms, 0.5),
                "p99_ms": percentile(self.public_ms, 0.99),
            },
            "accepted_per_second": {
                "mean": round(len(acc) / max(acc[-1] - acc[0], 1e-9), 2) if len(acc) > 1 else None,
                "peak_10s": round(peak10 / 10, 1),
            },
            "answers_5xx": {str(k): v for k, v in sorted(total_5xx.items())},
            "answers_500": total_5xx.get(500, 0),
            "faults": [
                {"at": round(t, 2), "fault": f, "down_s": round(d, 2)} for t, f, d in self.faults
            ],
            "night_seconds": round(end, 1),
            "notes": list(self.notes),
        }
