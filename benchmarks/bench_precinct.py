"""Precinct core speed (issue 11 item 4), each figure beside a baseline measured in the same run.

    .venv/bin/python benchmarks/bench_precinct.py              # all three parts
    .venv/bin/python benchmarks/bench_precinct.py --part core --n 100000 --rules nv-2020

1. ``core``: in-process ``compute_precinct`` per second (CPU time), and the earlier exact
   Fraction implementation (tests/core/reference.py) on the same precincts: target >= 100,000/s.
   Also with ``to_dict()`` + ``json.dumps`` (the worksheet built and written).
2. ``cli``: ``caucus precinct --jsonl`` on 40,000 precincts against a plain integer allocator
   (benchmarks/plain_allocator.py) reading the same file; CPU time of each child process,
   start-up included: target <= 2x. Also with ``--worksheet`` (every step written, ~3 KB a
   line; the batch's default before ADR 0013).
3. ``help``: ``caucus --help`` wall time against ``python -c pass``: target < 0.3 s.

Precincts are random but seeded (the same list every run): D from 0 to 30 weighted towards small
precincts, N from 5 to 600, 2 to 8 preference groups, sometimes people who leave. Generation is
not timed. Every figure is the median of ``--repeat`` runs, alternating candidate and baseline;
the machine is shared, so compare ratios rather than absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from caucuskit.core import PrecinctInput, RuleSet, compute_precinct, get_ruleset

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # as pytest sees it: tests/ is the import root
from core import reference  # noqa: E402  (the earlier exact implementation)

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


def _cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def part_core(rules: RuleSet, precincts: list[PrecinctInput], repeat: int) -> None:
    def new() -> None:
        for data in precincts:
            compute_precinct(rules, data)

    def old() -> None:
        for data in precincts:
            reference.compute_precinct(rules, data)

    def new_json() -> None:
        for data in precincts:
            json.dumps(compute_precinct(rules, data).to_dict())

    def old_json() -> None:
        for data in precincts:
            json.dumps(reference.compute_precinct(rules, data).to_dict())

    n = len(precincts)
    times: dict[str, list[float]] = {"new": [], "old": [], "new_json": [], "old_json": []}
    for _ in range(repeat):
        for name, run in (
            ("new", new),
            ("old", old),
            ("new_json", new_json),
            ("old_json", old_json),
        ):
            times[name].append(_cpu(run))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"[core] {n:,} precincts ({rules.name}), CPU time, median of {repeat}:")
    print(f"  compute_precinct           {n / med['new']:>10,.0f}/s   (target >= 100,000/s)")
    ratio = med["old"] / med["new"]
    print(f"  earlier exact (reference)  {n / med['old']:>10,.0f}/s   -> {ratio:.1f}x")
    print(
        f"  + to_dict + json.dumps     {n / med['new_json']:>10,.0f}/s   "
        f"(reference {n / med['old_json']:,.0f}/s -> {med['old_json'] / med['new_json']:.1f}x)"
    )


def _child_cpu(cmd: list[str], stdin: Path) -> float:
    """User + system CPU seconds of one child process reading ``stdin``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with stdin.open("rb") as src:
        done = subprocess.run(cmd, stdin=src, stdout=subprocess.DEVNULL, check=False)
    if done.returncode not in (0, 1):  # 1: caucus refused some line, which is fine here
        raise SystemExit(f"{cmd} failed with exit code {done.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _caucus() -> list[str]:
    script = Path(sys.executable).parent / "caucus"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from caucuskit.cli.app import main; main()"]


def part_cli(rules: RuleSet, precincts: list[PrecinctInput], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "precincts.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for data in precincts:
                line = {
                    "delegates": data.delegates,
                    "attendees": data.attendees,
                    "final": dict(data.final),
                }
                out.write(json.dumps(line) + "\n")
        commands = {
            "plain": [sys.executable, str(ROOT / "benchmarks" / "plain_allocator.py")],
            "jsonl": [*_caucus(), "precinct", "--jsonl", "--rules", rules.name],
            "full": [*_caucus(), "precinct", "--jsonl", "--worksheet", "--rules", rules.name],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(repeat):
            for name, cmd in commands.items():
                times[name].append(_child_cpu(cmd, path))
    med = {k: statistics.median(v) for k, v in times.items()}
    n = len(precincts)
    print(
        f"[cli] {n:,} precincts ({rules.name}), child CPU time incl. start-up, median of {repeat}:"
    )
    print(f"  plain integer allocator               {med['plain']:6.2f} s")
    print(
        f"  caucus precinct --jsonl               {med['jsonl']:6.2f} s -> "
        f"{med['jsonl'] / med['plain']:.2f}x   (target <= 2x)"
    )
    print(
        f"  caucus precinct --jsonl --worksheet   {med['full']:6.2f} s -> "
        f"{med['full'] / med['plain']:.2f}x"
    )


def _wall_and_cpu(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def part_help(repeat: int) -> None:
    cmds = {"pass": [sys.executable, "-c", "pass"], "help": [*_caucus(), "--help"]}
    wall: dict[str, list[float]] = {k: [] for k in cmds}
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            w, c = _wall_and_cpu(cmd)
            wall[name].append(w)
            cpu[name].append(c)
    mw = {k: statistics.median(v) for k, v in wall.items()}
    mc = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"[help] median of {repeat} (wall time waits for the CPU on a loaded machine):")
    print(f"  python -c pass   wall {mw['pass']:.3f} s   CPU {mc['pass']:.3f} s")
    print(
        f"  caucus --help    wall {mw['help']:.3f} s   CPU {mc['help']:.3f} s -> "
        f"{mw['help'] / mw['pass']:.1f}x python's wall (target < 0.3 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--part", choices=("core", "cli", "help", "all"), default="all")
    parser.add_argument("--n", type=int, default=40_000, help="precincts")
    parser.add_argument("--seed", type=int, default=2020, help="random seed")
    parser.add_argument("--rules", default="ia-2020", help="ia-2016, ia-2020 or nv-2020")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rules = get_ruleset(args.rules)
    precincts = [random_precinct(rng) for _ in range(args.n)]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    if args.part in ("core", "all"):
        part_core(rules, precincts, args.repeat)
    if args.part in ("cli", "all"):
        part_cli(rules, precincts, max(1, args.repeat // 2 + 1))
    if args.part in ("help", "all"):
        part_help(args.repeat * 2)


if __name__ == "__main__":
    main()
