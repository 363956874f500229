"""Benchmark: import + tabulate + audit of the whole 2020 100% file, and national scale.

Run: .venv/bin/python benchmarks/bench_tabulate.py [--scale 100] [--distinct-scale 10]
     [--repeat 3]

National scale copies every Iowa precinct ``--scale`` times (as distinct precincts of the same
counties, so SDE values stay those of the real counties scaled down): 176,500 reports at 100.
Plain copies repeat each unit's inputs, which the tabulation computes once per distinct input;
so a second synthetic run makes every copy distinct (copy k moves k people, k = 1..scale, into
the largest final group and adds them to the head count: the inputs of a real, different
state) and reports the time per report, and its projection to 176,500 reports.

Figures are CPU seconds of this process (``time.process_time``; the machine is shared, so
wall time mostly measures the other tenants) and wall seconds, each the median of
``--repeat`` runs. Nothing is asserted: speed is not a unit test.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.services.audit import audit
from caucuskit.services.results_files import load_results
from caucuskit.services.tabulate import tabulate

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS_100 = DATA / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"
NATIONAL = 176_500


def _timed(
    label: str, repeat: int, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[Any, float]:
    cpu, wall = [], []
    value = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        value = fn(*args, **kwargs)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    c, w = statistics.median(cpu), statistics.median(wall)
    print(f"{label:<52} cpu {c:8.3f} s   wall {w:8.3f} s", flush=True)
    return value, c


def scaled(
    election: Election, reports: list[PrecinctReport], scale: int, distinct: bool = False
) -> tuple[Election, list[PrecinctReport]]:
    """``scale`` copies of every precinct and report (names suffixed ``#k``); ``distinct``:
    copy k has k more people in its largest final group (and in the head count)."""
    precincts = []
    out = []
    by_key = {r.key: r for r in reports}
    for k in range(scale):
        for p in election.precincts:
            name = f"{p.name} #{k}"
            precincts.append(
                dataclasses.replace(p, name=name, code=f"{p.code}#{k}" if p.code else "")
            )
            r = by_key.get(p.key)
            if r is None:
                continue
            r = dataclasses.replace(r, precinct=name)
            if distinct and k and r.final:
                final = dict(r.final)
                top = max(sorted(final), key=lambda g: final[g])
                final[top] += k
                first = dict(r.first)
                first[top] = first.get(top, 0) + k
                attendees = None if r.attendees is None else r.attendees + k
                r = dataclasses.replace(
                    r, final=final, first=first, attendees=attendees, published_sde=None
                )
            out.append(r)
    big = dataclasses.replace(election, precincts=tuple(precincts))
    return big, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100, help="copies of Iowa (default 100)")
    parser.add_argument(
        "--distinct-scale",
        type=int,
        default=10,
        help="copies with distinct inputs (default 10; 100 takes minutes)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    rep = args.repeat
    loaded, _ = _timed(
        "import (election + IDP 100% file)", 1, load_results, "iowa-2020", RESULTS_100
    )
    tab, _ = _timed("tabulate, recomputed", rep, tabulate, loaded.election, loaded.reports)
    _timed(
        "audit (reusing the tabulation)",
        rep,
        audit,
        loaded.election,
        loaded.reports,
        tabulation=tab,
    )
    _timed("tabulate, published", rep, tabulate, loaded.election, loaded.reports, published=True)
    big, reports = scaled(loaded.election, loaded.reports, args.scale)
    print(f"national scale: {len(reports):,} reports, {len(big.precincts):,} precincts")
    _timed(f"tabulate x{args.scale}, published", rep, tabulate, big, reports, published=True)
    _timed(f"tabulate x{args.scale}, recomputed (copies)", rep, tabulate, big, reports)
    big, reports = scaled(loaded.election, loaded.reports, args.distinct_scale, distinct=True)
    _, cpu = _timed(
        f"tabulate x{args.distinct_scale}, recomputed (distinct inputs)",
        rep,
        tabulate,
        big,
        reports,
    )
    per = cpu / len(reports)
    print(
        f"{'  per report, distinct inputs':<52} cpu {per * 1e6:8.1f} us  -> "
        f"{NATIONAL:,} distinct reports ~ {per * NATIONAL:.1f} s cpu"
    )


if __name__ == "__main__":
    main()
