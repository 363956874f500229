"""Benchmark: what authenticating one chair report costs — access code (counted guess +
argon2, the old way on every report) against the sign-in token (signature + one lookup).

Run: .venv/bin/python benchmarks/bench_chair_auth.py [--n 40] [--db URL]

In process, on a fresh SQLite file (or the empty, throwaway database at ``--db``: it is
filled with tables), with the default
argon2 cost (time 2, 19 MiB). Prints the median per check of several rounds and the ratio in
the same run; asserts nothing about speed (the machine is shared: quote medians).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from caucuskit.formats.election_file import load_election
from caucuskit.services import credentials, sessions
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=40, help="checks per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--db",
        default=None,
        help="URL of an empty throwaway database (default: a temporary SQLite)",
    )
    args = ap.parse_args()
    url = args.db or str(Path(tempfile.mkdtemp()) / "auth.sqlite")
    ctx = Context(Settings.from_env(database_url=url))
    init_database(ctx.db, load_election("iowa-2020"))
    p = ctx.precincts[0]
    issued, _ = credentials.issue_codes(ctx, only=[p.id])
    code = issued[0].code
    token, _ = sessions.issue(ctx, p, "127.0.0.1")
    by_code, by_token = [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _ in range(args.n):
            credentials.verify_precinct_code(ctx, p, code, "127.0.0.1")
        by_code.append((time.perf_counter() - t0) / args.n)
        t0 = time.perf_counter()
        for _ in range(args.n):
            sessions.check(ctx, token, p)
        by_token.append((time.perf_counter() - t0) / args.n)
    c, t = statistics.median(by_code), statistics.median(by_token)
    print(f"database: {ctx.db.dialect}; {args.rounds} rounds of {args.n} checks (medians)")
    print(f"access code (counted + argon2): {c * 1000:8.2f} ms per report")
    print(f"sign-in token (HMAC + lookup):  {t * 1e6:8.0f} µs per report")
    print(f"ratio: the token is {c / t:.0f}x cheaper")
    ctx.db.dispose()


if __name__ == "__main__":
    main()
