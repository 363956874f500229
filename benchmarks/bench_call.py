"""Benchmark of the race call: run with ``python benchmarks/bench_call.py [--scale 100]``.

* the call after each accepted report of Iowa 2020 (the 100% file streamed in a seeded random
  order; target < 100 ms per report), wall and CPU time;
* the call at Iowa scale with 1, 10 and 100 precincts outstanding (issue 16 item 6: every
  unit decided or open, never "undetermined"; how each was settled; time per call);
* the incremental update at ``--scale`` x Iowa (issue 11: a report added to a night of
  176,500 units, then the call; target < 100 ms), against the same call rebuilt from scratch;
* the Monte Carlo projection: 100,000 simulated completions of the 5 Feb snapshot.
Timings on a shared machine are noisy: medians are quoted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from caucuskit.core.bounds import call_race
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import read_idp_results
from caucuskit.services.call import NightTracker, UnitOutcome
from caucuskit.services.call_report import exact_unit_search
from caucuskit.services.projection import project
from caucuskit.services.tabulate import tabulate

RESULTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "iowa-2020" / "results"


def _ms(values: list[float]) -> str:
    ms = sorted(1000 * t for t in values)
    return (
        f"median {statistics.median(ms):.1f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} "
        f"ms, max {ms[-1]:.1f} ms"
    )


def add_and_call(tracker: NightTracker, u: Any) -> tuple[float, float]:
    """One accepted report, then the call without the exact search: (wall, CPU) seconds."""
    t0, c0 = time.perf_counter(), time.process_time()
    tracker.add(UnitOutcome.from_unit(u))
    call_race(tracker.race(), search=False)
    return time.perf_counter() - t0, time.process_time() - c0


def stream(e, tab, limit: int) -> None:  # type: ignore[no-untyped-def]
    order = list(tab.units)
    random.Random(1).shuffle(order)
    if limit:
        order = order[:limit]
    tracker = NightTracker(e, satellite_max_turnout=400)
    wall, cpu = [], []
    for u in order:
        w, c = add_and_call(tracker, u)
        wall.append(w)
        cpu.append(c)
    print(f"call after each report ({len(order)} reports): wall {_ms(wall)}; cpu {_ms(cpu)}")


def outstanding(e, tab, counts: list[int], repeat: int) -> None:  # type: ignore[no-untyped-def]
    units = [u for u in tab.units if not u.precinct.satellite]
    for k in counts:
        times: list[float] = []
        how: Counter[str] = Counter()
        for seed in range(repeat):
            out = {u.precinct.key for u in random.Random(seed).sample(units, k)}
            tracker = NightTracker(e, satellite_max_turnout=400)
            for u in tab.units:
                if u.precinct.key not in out:
                    tracker.add(UnitOutcome.from_unit(u))
            race = tracker.race()
            t0 = time.perf_counter()
            call = call_race(race, unit_search=exact_unit_search)
            times.append(time.perf_counter() - t0)
            how.update(f"{u.status}/{u.method}" for u in call.national.units)
            how.update([f"total {call.national.total_status}"])
        print(
            f"{k:>3} outstanding ({repeat} draws): full call {_ms(times)}; "
            + ", ".join(f"{n} {h}" for h, n in sorted(how.items()))
        )


def incremental(e, final, scale: int, samples: int, freeze: bool) -> None:  # type: ignore[no-untyped-def]
    from bench_tabulate import scaled  # the same synthetic national-scale night

    big, reports = scaled(e, final, scale)
    tab = tabulate(big, reports, published=True)
    order = list(tab.units)
    random.Random(2).shuffle(order)
    tracker = NightTracker(big, satellite_max_turnout=400)
    head, tail = order[: len(order) // 2], order[len(order) // 2 :][:samples]
    for u in head:
        tracker.add(UnitOutcome.from_unit(u))
    call_race(tracker.race(), search=False)  # the night so far, as the service holds it
    if freeze:  # what a long-running service does after loading: no full GC over the night
        import gc

        gc.freeze()
    inc, cpu = [], []
    for u in tail:
        w, c = add_and_call(tracker, u)
        inc.append(w)
        cpu.append(c)
    t0 = time.perf_counter()
    fresh = NightTracker(big, satellite_max_turnout=400)
    for u in head + tail:
        fresh.add(UnitOutcome.from_unit(u))
    call_race(fresh.race(), search=False)
    rebuild = time.perf_counter() - t0
    print(
        f"x{scale} Iowa ({len(big.precincts):,} units, half reported"
        f"{', gc.freeze()' if freeze else ''}): one report + call: wall {_ms(inc)}; cpu "
        f"{_ms(cpu)} (target < 100 ms); rebuilt from scratch {1000 * rebuild:.0f} ms "
        f"(ratio {rebuild / statistics.median(inc):.0f}x)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--reports", type=int, default=300, help="stream only this many reports (0: all 1,765)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="draws per outstanding count")
    ap.add_argument("--scale", type=int, default=100, help="copies of Iowa (0: skip)")
    ap.add_argument("--samples", type=int, default=20, help="reports timed at scale")
    ap.add_argument("--simulations", type=int, default=100_000, help="Monte Carlo states")
    ap.add_argument(
        "--freeze",
        action="store_true",
        help="gc.freeze() once the night is loaded (as a long-running service can)",
    )
    args = ap.parse_args()
    e = load_election("iowa-2020")
    final = read_idp_results(RESULTS / "idp-2020-02-08-100pct_full.csv", e).reports
    tab = tabulate(e, final)
    stream(e, tab, args.reports)
    outstanding(e, tab, [1, 10, 100], args.repeat)
    if args.scale:
        incremental(e, final, args.scale, args.samples, args.freeze)
    if args.simulations:
        partial = read_idp_results(RESULTS / "idp-2020-02-05-8pm_partial.csv", e).reports
        t0 = time.perf_counter()
        proj = project(tabulate(e, partial), simulations=args.simulations, seed=2020)
        print(
            f"Monte Carlo (an estimate): {args.simulations:,} simulated states in "
            f"{time.perf_counter() - t0:.2f} s; P(SDE lead) "
            + ", ".join(f"{c} {p:.3f}" for c, p in proj.lead.items() if p)
        )


if __name__ == "__main__":
    main()
