"""A plain integer delegate allocator: the baseline of ``caucus precinct --jsonl`` (issue 11).

Reads the same JSON lines as ``caucus precinct --jsonl`` and writes one ``{"delegates": ...}``
per line: threshold, viability, round half up, then largest remainder with a floor of one, all
in integers. No validation, no options, no worksheet, ties broken by name: what a
bare-bones script does, and so the floor for what the real command costs.

    python benchmarks/plain_allocator.py < precincts.jsonl > out.jsonl
"""

from __future__ import annotations

import json
import sys

#: (minimum D, numerator, denominator) of the viability fraction, from the largest D down.
THRESHOLDS = ((4, 3, 20), (3, 1, 6), (2, 1, 4))


def allocate(d: int, n: int, final: dict[str, int]) -> dict[str, int]:
    """Delegates per group for D delegates and N attendees."""
    if d == 0 or n == 0:
        return {}
    if d == 1:
        best = max(final.values(), default=0)
        leaders = sorted(g for g, m in final.items() if m == best and m > 0)
        return {leaders[0]: 1} if leaders else {}
    p, q = next((p, q) for minimum, p, q in THRESHOLDS if d >= minimum)
    threshold = -(-p * n // q)
    viable = sorted(g for g, m in final.items() if m > 0 and m >= threshold)
    if not viable:
        return {}
    key = {g: (20000 * final[g] * d + n) // (2 * n) for g in viable}
    a = {g: max(1, (2 * final[g] * d + n) // (2 * n)) for g in viable}
    total = sum(a.values())
    while total < d:
        g = max(viable, key=lambda g: (key[g] - 10000 * a[g], g))
        a[g] += 1
        total += 1
    while total > d:
        pool = [g for g in viable if a[g] > 1]
        if not pool:  # more viable groups than delegates: the smallest lose theirs
            pool = [g for g in viable if a[g] > 0]
        g = min(pool, key=lambda g: (key[g] - 10000 * (a[g] - 1), g))
        a[g] -= 1
        total -= 1
    return {g: k for g, k in a.items() if k}


def main() -> None:
    out = sys.stdout
    for line in sys.stdin:
        obj = json.loads(line)
        won = allocate(obj["delegates"], obj["attendees"], obj["final"])
        out.write(json.dumps({"delegates": won}) + "\n")


if __name__ == "__main__":
    main()
