"""Benchmark: import + tabulate + audit of the whole 2020 100% file, and a national-scale run.

Run: /work/venv/bin/python benchmarks/bench_tabulate.py [--scale 100]

The synthetic run copies every Iowa precinct ``scale`` times (as distinct precincts of the same
counties, so SDE values stay those of the real counties scaled down) and tabulates them.
Timings go to stdout; no assertion on speed (speed is not a unit test).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.services.audit import audit
from caucuskit.services.tabulate import load_results, tabulate

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS_100 = DATA / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return value


def scaled(election: Election, reports: list[PrecinctReport], scale: int
           ) -> tuple[Election, list[PrecinctReport]]:
    """``scale`` copies of every precinct and report (names suffixed ``#k``)."""
    precincts = []
    out = []
    by_key = {r.key: r for r in reports}
    for k in range(scale):
        for p in election.precincts:
            name = f"{p.name} #{k}"
            precincts.append(dataclasses.replace(p, name=name, code=f"{p.code}#{k}"
                                                 if p.code else ""))
            r = by_key.get(p.key)
            if r is not None:
                out.append(dataclasses.replace(r, precinct=name))
    big = dataclasses.replace(election, precincts=tuple(precincts))
    return big, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100, help="copies of Iowa (default 100)")
    args = parser.parse_args()
    start = time.perf_counter()
    loaded = _timed("import (election + IDP 100% file)", load_results, "iowa-2020", RESULTS_100)
    tab = _timed("tabulate, recomputed", tabulate, loaded.election, loaded.reports)
    _timed("audit (reusing the tabulation)", audit, loaded.election, loaded.reports,
           tabulation=tab)
    print(f"{'import + tabulate + audit':<48} {time.perf_counter() - start:8.3f} s")
    _timed("tabulate, published", tabulate, loaded.election, loaded.reports, published=True)
    big, reports = scaled(loaded.election, loaded.reports, args.scale)
    print(f"synthetic: {len(reports):,} reports, {len(big.precincts):,} precincts")
    _timed(f"tabulate x{args.scale}, published", tabulate, big, reports, published=True)
    _timed(f"tabulate x{args.scale}, recomputed", tabulate, big, reports)


if __name__ == "__main__":
    main()
