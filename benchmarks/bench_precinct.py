"""How many precincts per second the core computes (issue 3: Iowa has 1,765 precinct units; a
national replay would be ~175,000).

    /work/venv/bin/python benchmarks/bench_precinct.py            # 100,000 precincts, ia-2020
    /work/venv/bin/python benchmarks/bench_precinct.py --n 20000 --rules nv-2020 --json

Precincts are random but seeded (the same list every run): D from 0 to 30 weighted towards small
precincts, N from 5 to 600, 2 to 8 preference groups, sometimes people who leave. Generation is
not timed; only ``compute_precinct`` (and, with ``--json``, ``to_dict`` + ``json.dumps``) is.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from caucuskit.core import PrecinctInput, compute_precinct, get_ruleset

CANDIDATES = ("Biden", "Buttigieg", "Klobuchar", "Sanders", "Steyer", "Warren", "Yang", "Other")


def random_precinct(rng: random.Random) -> PrecinctInput:
    delegates = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 24, 30))
    attendees = rng.randint(5, 600)
    groups = rng.sample(CANDIDATES, rng.randint(2, len(CANDIDATES)))
    left = rng.randint(0, attendees // 10) if rng.random() < 0.3 else 0
    weights = [rng.random() ** 2 for _ in groups]
    total = sum(weights)
    present = attendees - left
    counts = [int(w / total * present) for w in weights]
    counts[0] += present - sum(counts)
    return PrecinctInput(delegates, attendees, dict(zip(groups, counts, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="precincts to allocate")
    parser.add_argument("--seed", type=int, default=2020, help="random seed")
    parser.add_argument("--rules", default="ia-2020", help="ia-2016, ia-2020 or nv-2020")
    parser.add_argument("--json", action="store_true", help="also time the JSON output")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    rules = get_ruleset(args.rules)
    precincts = [random_precinct(rng) for _ in range(args.n)]

    pending = 0
    start = time.perf_counter()
    for data in precincts:
        result = compute_precinct(rules, data)
        if result.pending_tie is not None:
            pending += 1
        if args.json:
            json.dumps(result.to_dict())
    elapsed = time.perf_counter() - start

    what = "compute_precinct + JSON" if args.json else "compute_precinct"
    print(f"{args.n:,} precincts ({args.rules}, seed {args.seed}, {what}) in {elapsed:.2f} s")
    print(f"{args.n / elapsed:,.0f} precincts/second; {pending:,} left a coin toss pending")
    print(f"Iowa (1,765 units): {1765 / (args.n / elapsed) * 1000:.0f} ms; "
          f"national replay (~175,000): {175_000 / (args.n / elapsed):.1f} s")


if __name__ == "__main__":
    main()
