"""Benchmark of the race call (issue 7): run with ``python benchmarks/bench_call.py``.

* bounds for the whole state after each accepted report (reports of the 100% file streamed in
  a seeded random order; target < 100 ms per report for Iowa), as wall time and as this
  process's CPU time (on a shared machine the wall maximum includes other processes' turns);
* the Monte Carlo projection: 100,000 simulated completions of the 5 Feb snapshot.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from caucuskit.core.bounds import call_race
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import read_idp_results
from caucuskit.services.call import NightTracker, UnitOutcome
from caucuskit.services.projection import project
from caucuskit.services.tabulate import tabulate

RESULTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "iowa-2020" / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=0,
                    help="stream only this many reports (0: all 1,765)")
    ap.add_argument("--simulations", type=int, default=100_000, help="Monte Carlo states")
    ap.add_argument("--freeze", action="store_true",
                    help="gc.freeze() after loading: the slowest steps are full garbage "
                         "collections scanning the loaded election and reports")
    args = ap.parse_args()
    e = load_election("iowa-2020")
    final = read_idp_results(RESULTS / "idp-2020-02-08-100pct_full.csv", e).reports
    tab = tabulate(e, final)
    import random

    order = list(tab.units)
    random.Random(1).shuffle(order)
    if args.reports:
        order = order[: args.reports]
    tracker = NightTracker(e, satellite_max_turnout=400)
    if args.freeze:
        import gc

        gc.freeze()
    times = []
    cpu = []
    for u in order:
        t0, c0 = time.perf_counter(), time.process_time()
        tracker.add(UnitOutcome.from_unit(u))
        call_race(tracker.race())
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    for label, values in (("wall", times), ("cpu", cpu)):
        ms = sorted(1000 * t for t in values)
        print(f"bounds after each report ({label}): {len(ms)} reports, median "
              f"{statistics.median(ms):.1f} ms, p95 {ms[int(0.95 * len(ms))]:.1f} ms, "
              f"max {ms[-1]:.1f} ms (target < 100 ms)")
    partial = read_idp_results(RESULTS / "idp-2020-02-05-8pm_partial.csv", e).reports
    ptab = tabulate(e, partial)
    t0 = time.perf_counter()
    proj = project(ptab, simulations=args.simulations, seed=2020)
    print(f"Monte Carlo: {args.simulations:,} simulated states in "
          f"{time.perf_counter() - t0:.2f} s; P(SDE lead) "
          + ", ".join(f"{c} {p:.3f}" for c, p in proj.lead.items() if p))


if __name__ == "__main__":
    main()
