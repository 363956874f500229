"""One drill from start to end: the plan, the server (given, or owned), the night, the proof.

Rule: rules.md §9. With ``url`` the drill plays against a running service, with the codes and
staff passwords of ``caucus credentials issue``; with ``serve`` it sets one up on SQLite or on a
throwaway PostgreSQL cluster of its own, which it may then kill and restart (the faults).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from caucuskit.drill.client import Api, Credentials
from caucuskit.drill.ledger import Ledger
from caucuskit.drill.metrics import Metrics
from caucuskit.drill.night import Night, Progress, Target
from caucuskit.drill.plan import Options, Plan, make_plan
from caucuskit.drill.proof import Check, fetch, prove
from caucuskit.drill.readers import Readers, ReaderStats
from caucuskit.drill.servers import OwnedServer, PgCluster, ServerError, read_codes
from caucuskit.services.results_files import load_results


@dataclass
class DrillConfig:
    election: str
    results: Path
    url: str | None = None
    codes: Path | None = None
    serve: str | None = None  # "sqlite" or "postgresql" (a cluster of the drill's own)
    workers: int = 1
    readers: int = 8
    options: Options = field(default_factory=Options)
    out: Path | None = None
    fault_down: float = 1.0
    server_env: dict[str, str] = field(default_factory=dict)


@dataclass
class DrillResult:
    config: DrillConfig
    plan: Plan
    metrics: Metrics
    readers: ReaderStats
    ledger: Ledger
    desk: dict[str, Any]
    checks: list[Check]
    accepted_file: Path
    setup_seconds: float

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _readiness_check(m: Metrics, signed_in: int) -> Check:
    values = [v for _, v in m.readiness]
    rising = all(b >= a for a, b in itertools.pairwise(values))
    ok = (
        rising
        and bool(values)
        and values[-1] >= signed_in
        and (signed_in == 0 or len(set(values)) >= 2)
    )
    return Check(
        "readiness rose",
        ok,
        f"desk readiness {values[:1]} -> {values[-1:]} over "
        f"{len(values)} looks; {signed_in} chairs signed in",
        [] if ok else [f"samples {values[:40]}"],
    )


#: Seconds after a fault's end during which answers still belong to the fault.
FAULT_GRACE = 5.0


def _safety_checks(m: Metrics) -> list[Check]:
    windows = [(t, t + down + FAULT_GRACE) for t, _, down in m.faults]

    def in_fault(t: float) -> bool:
        return any(a <= t <= b for a, b in windows)

    fives = [
        (t, f"{kind} {status} at {t:.1f} s") for t, kind, status in m.server_errors if status == 500
    ]
    outside = [x for t, x in fives if not in_fault(t)]
    during = [x for t, x in fives if in_fault(t)]
    return [
        Check(
            "no answer of 500",
            not outside,
            f"{len(m.server_errors)} answers of 5xx in all; "
            f"{len(outside)} of 500 outside the faults",
            outside,
        ),
        Check(
            "no answer of 500 during faults",
            not during,
            f"{len(m.faults)} faults; {len(during)} answers of 500 while the server or its "
            "database was down (a 503 with Retry-After is the right answer)",
            during,
        ),
        Check(
            "no real chair or operator locked out",
            m.real_actor_throttled == 0,
            f"flood: {sum(m.flood.values())} attempts, answers {dict(m.flood)}",
            [f"{m.real_actor_throttled} answers of 429 to real chairs/operators"]
            if m.real_actor_throttled
            else [],
        ),
    ]


def _plan(cfg: DrillConfig) -> Plan:
    loaded = load_results(cfg.election, cfg.results)
    return make_plan(loaded.election, loaded.reports, cfg.options)


def run_drill(cfg: DrillConfig, progress: Progress | None = None) -> DrillResult:
    """Play the whole drill (blocking) and return its result with the proof."""
    plan = _plan(cfg)
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="caucus-drill-"))
    server: OwnedServer | None = None
    pg: PgCluster | None = None
    try:
        if cfg.serve is not None:
            if cfg.serve == "postgresql":
                pg = PgCluster(Path(tempfile.mkdtemp(prefix="caucus-drill-pg-")))
                pg.create()
                db_url = pg.url
            elif cfg.serve == "sqlite":
                db_url = str(work / "drill.sqlite")
            else:
                raise ServerError(f"--serve must be sqlite or postgresql, not {cfg.serve!r}")
            server = OwnedServer(
                db_url, workers=cfg.workers, env=cfg.server_env, log=work / "server.log"
            )
            creds = server.setup(cfg.election, work)
            server.start()
            url = server.url
        elif cfg.url is not None and cfg.codes is not None:
            url, creds = cfg.url.rstrip("/"), read_codes(cfg.codes)
        else:
            raise ServerError("give --url with --codes, or --serve sqlite|postgresql")
        if plan.kills_at and server is None:
            raise ServerError("kill -9 needs a server the drill owns (--serve)")
        if plan.pg_restarts_at and pg is None:
            raise ServerError(
                "a PostgreSQL restart needs the drill's own cluster (--serve postgresql)"
            )
        setup = time.monotonic() - began
        metrics = Metrics()
        return asyncio.run(
            _play(
                cfg, plan, Target(url, creds, server, pg, cfg.fault_down), metrics, progress, setup
            )
        )
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            pg.destroy()
        if cfg.out is not None and (work / "server.log").exists():
            cfg.out.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "server.log", cfg.out / "server.log")
        shutil.rmtree(work, ignore_errors=True)


async def _documents(url: str, creds: Credentials, m: Metrics) -> list[str]:
    """What readers poll: the state first, then districts, counties, precincts, pages."""
    api = Api(url, m.observe)
    try:
        el = (await api.public("127.30.8.1", "election", kind="setup")).body or {}
        listing = (await api.desk_precincts("127.30.8.1", creds.desk)).body or {}
    finally:
        await api.close()
    docs = ["state", "version", "coin-tosses", "changes"]
    docs += [f"districts/{d}" for d in el.get("districts", [])]
    docs += [f"counties/{c['id']}" for c in el.get("counties", [])][:40]
    docs += [f"precincts/{p['id']}" for p in listing.get("precincts", [])][:200:4]
    docs += ["/results"]
    return docs


async def _play(
    cfg: DrillConfig,
    plan: Plan,
    target: Target,
    m: Metrics,
    progress: Progress | None,
    setup: float,
) -> DrillResult:
    docs = await _documents(target.url, target.creds, m)
    limit = plan.readiness_seconds + plan.night_seconds + 900
    readers = Readers(target.url, docs, cfg.readers, m.t0, limit, plan.options.seed)
    readers.start()
    night = Night(plan, target, m, progress)
    try:
        ledger = await night.run()
    finally:
        stats = await asyncio.to_thread(readers.finish)
    for t, n, total in stats.reporting:
        m.reporting.append((t, n, total))
    for s, n in stats.per_second.items():
        m.public_per_second[int(s)] += n
    m.public_ms.extend(stats.latencies_ms)
    for status, n in stats.statuses.items():
        m.exchanges[("public", int(status))] += n
    api = Api(target.url, m.observe)
    try:
        view = await fetch(api, target.creds, plan, ledger)
    finally:
        await api.close()
    checks, path = prove(plan, view, ledger, cfg.out)
    checks.insert(0, _readiness_check(m, night.signed_in))
    checks += _safety_checks(m)
    return DrillResult(cfg, plan, m, stats, ledger, view.desk, checks, path, setup)


def options_dict(o: Options) -> dict[str, Any]:
    return asdict(o)
