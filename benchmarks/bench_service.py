"""Benchmark: the results service over loopback — submissions/s, public reads/s (200 and 304).

Run: /work/venv/bin/python benchmarks/bench_service.py [--precincts 300] [--reads 3000]
     [--db postgresql+psycopg://postgres@127.0.0.1:5432/bench] [--workers 1]

Starts ``caucus serve`` as a subprocess on a free 127.0.0.1 port against a fresh SQLite file (or
the URL given, which must be an empty database), loads iowa-2020, issues codes for the first
``--precincts`` precincts that have valid 2020 reports, submits those reports (the real 8 Feb
counts) from 4 client threads, then reads the public state document with and without
``If-None-Match``. Bounded; prints timings, asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from bench_support import CLI, free_port, valid_bodies, wait_healthy

from caucuskit.formats.election_file import load_election
from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database


def submit_all(base: str, bodies: list[dict[str, Any]], codes: dict[str, str]) -> dict[int, int]:
    """Post every body from 4 client threads; how many answers of each status."""
    queue = list(bodies)
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                body = dict(body, code=codes[body["precinct_id"]])
                r = c.post(
                    "/api/v1/chair/reports",
                    json=body,
                    headers={"Idempotency-Key": "bench-" + body["precinct_id"]},
                )
                with lock:
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.perf_counter() - t0
    print(f"submissions: {len(bodies)} in {dt:.2f} s = {len(bodies) / dt:7.1f}/s  {statuses}")
    return statuses


def read_all(base: str, accepted: int, reads: int) -> None:
    """Wait until the accepted reports and the race panel are public, then time ``reads``
    reads of the state document with and without ``If-None-Match``."""
    with httpx.Client(base_url=base, timeout=60) as c:
        t0 = time.perf_counter()
        first = c.get("/api/v1/public/state")
        print(f"first state read                         {time.perf_counter() - t0:8.3f} s")
        # the background builder publishes the reports, then the race panel (ADR 0007)
        while True:
            doc = first.json()
            if doc["race_version"] == doc["version"] and doc["precincts"]["reporting"] >= accepted:
                break
            time.sleep(0.05)
            first = c.get("/api/v1/public/state")
        print(f"all reports and the race panel visible   {time.perf_counter() - t0:8.3f} s")
        tag = first.headers["ETag"]
        for label, headers, expect in (("200", {}, 200), ("304", {"If-None-Match": tag}, 304)):
            t0 = time.perf_counter()
            for _ in range(reads):
                r = c.get("/api/v1/public/state", headers=headers)
                assert r.status_code == expect, r.status_code
            dt = time.perf_counter() - t0
            print(
                f"public reads ({label}): {reads} in {dt:.2f} s = "
                f"{reads / dt:7.1f}/s  ({len(first.content)} bytes)"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--precincts", type=int, default=300)
    ap.add_argument("--reads", type=int, default=3000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="caucus-bench-"))
    url = args.db or str(folder / "bench.sqlite")
    settings = Settings.from_env(database_url=url, argon2_time_cost=2, argon2_memory_kib=19456)
    ctx = Context(settings)
    init_database(ctx.db, load_election("iowa-2020"))
    bodies = valid_bodies(ctx, args.precincts)
    t0 = time.perf_counter()
    issued, _ = credentials.issue_codes(ctx, only=[b["precinct_id"] for b in bodies])
    print(f"issued {len(issued)} codes (argon2)              {time.perf_counter() - t0:8.3f} s")
    codes = {c.precinct_id: c.code for c in issued}
    port = free_port()
    env = dict(os.environ, CAUCUS_ARGON2_TIME_COST="2", CAUCUS_ARGON2_MEMORY_KIB="19456")
    proc = subprocess.Popen(
        [*CLI, "serve", "--db", url, "--port", str(port), "--workers", str(args.workers)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        statuses = submit_all(base, bodies, codes)
        read_all(base, statuses.get(201, 0), args.reads)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        ctx.db.dispose()


if __name__ == "__main__":
    main()
