"""What the service benchmarks share: the 2020 results, valid report bodies, a free port, the
``caucus`` command line and waiting for a server to answer.

Imported by ``bench_service.py`` and ``bench_night.py`` (run from the repository root as
``python benchmarks/<name>.py``: this folder is then first on ``sys.path``).
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from caucuskit.formats.idp2020 import read_idp_results
from caucuskit.services.context import Context
from caucuskit.services.errors import ServiceError
from caucuskit.services.submit import ReportInput, derive, require_complete

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
RESULTS_100 = DATA / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"
#: ``caucus`` run by this interpreter (the checkout's, whatever is on PATH).
CLI = [sys.executable, "-c", "from caucuskit.cli.app import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def valid_bodies(ctx: Context, limit: int) -> list[dict[str, Any]]:
    """Real 2020 reports that pass the core's checks and need no unrecorded toss."""
    out = []
    for r in read_idp_results(RESULTS_100, ctx.election).reports:
        p = ctx.by_name.get(r.key)
        if p is None or p.satellite:
            continue
        first = {k: v for k, v in r.first.items() if v}
        final = {k: v for k, v in r.final.items() if v}
        rep = ReportInput(r.effective_attendees, first, final)
        try:
            require_complete(derive(ctx, p, rep))
        except ServiceError:
            continue
        out.append(
            {"precinct_id": p.id, "attendees": rep.attendees, "first": first, "final": final}
        )
        if len(out) >= limit:
            break
    return out


def wait_healthy(base: str, tries: int = 300) -> None:
    """Until ``GET /healthz`` answers 200 (``tries`` times 0.1 s at the most)."""
    for _ in range(tries):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
