"""Benchmark: the full Iowa 2020 caucus-night drill, on SQLite and on PostgreSQL (2 workers).

Run: .venv/bin/python benchmarks/bench_drill.py [--backend sqlite|postgresql|both]
     [--speed 60] [--seed 2020] [--readers 16] [--kill 1] [--pg-restart 1] [--out DIR]
     [--fast-hash]

Each run is ``caucus drill --serve BACKEND --workers 2`` over the 1,765 units of the IDP's
8 February file: the drill sets up its own server (and, for PostgreSQL, its own throwaway
cluster on its own port), plays readiness, the night with its troubles and faults, the
recanvass, and the proof. Prints one line per run with the figures of the issue's targets
(docs/drill.md keeps the table) and writes report.json / report.html per run under --out.
Asserts nothing about speed; exits 1 if a proof check other than the 500s failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from caucuskit.drill.html import page
from caucuskit.drill.output import report
from caucuskit.drill.plan import Options
from caucuskit.drill.run import DrillConfig, run_drill

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS_100 = DATA / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"
FAST = {"CAUCUS_ARGON2_TIME_COST": "1", "CAUCUS_ARGON2_MEMORY_KIB": "1024"}


def one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    out = Path(args.out) / backend
    cfg = DrillConfig(
        "iowa-2020",
        RESULTS_100,
        serve=backend,
        workers=args.workers,
        readers=args.readers,
        out=out,
        server_env=FAST if args.fast_hash else {},
        options=Options(
            seed=args.seed,
            speed=args.speed,
            kills=args.kill,
            limit=args.limit,
            pg_restarts=args.pg_restart if backend == "postgresql" else 0,
        ),
    )
    began = time.monotonic()
    result = run_drill(cfg)
    rep = report(result)
    rep["wall_seconds"] = round(time.monotonic() - began, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(rep, indent=1), encoding="utf-8")
    (out / "report.html").write_text(page(result, rep), encoding="utf-8")
    return rep


def line(backend: str, rep: dict[str, Any]) -> str:
    m = rep["metrics"]
    sub, vis, pub = m["submission_ms"], m["report_to_visible_ms"], m["public"]

    def fmt(x: float | None) -> str:
        return "-" if x is None else f"{x:,.0f}"

    checks = ", ".join(f"{c['name']}={'ok' if c['ok'] else 'FAILED'}" for c in rep["checks"])
    return (
        f"{backend:10s} units {rep['units']['reported']}/{rep['units']['planned']} "
        f"night {m['night_seconds']} s, wall {rep['wall_seconds']} s; accepted/s mean "
        f"{m['accepted_per_second']['mean']} peak10s {m['accepted_per_second']['peak_10s']}; "
        f"submission p50/p99 {fmt(sub['p50'])}/{fmt(sub['p99'])} ms; visible p50/p99 "
        f"{fmt(vis['p50'])}/{fmt(vis['p99'])} ms (never {vis['never_seen']}); public "
        f"{pub['per_second_night']}/s p99 {fmt(pub['p99_ms'])} ms; 500s "
        f"{m['answers_500']}; retries {m['retries']}; faults {len(m['faults'])}\n  {checks}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--speed", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--readers", type=int, default=16)
    ap.add_argument("--kill", type=int, default=1)
    ap.add_argument("--pg-restart", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="replay only this many units")
    ap.add_argument("--out", default="bench-drill")
    ap.add_argument(
        "--fast-hash",
        action="store_true",
        help="cheap argon2 on the server (default: the service's real settings)",
    )
    args = ap.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    bad = False
    for b in backends:
        rep = one(b, args)
        print(line(b, rep), flush=True)
        bad |= any(not c["ok"] for c in rep["checks"] if "500" not in c["name"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
