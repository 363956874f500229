"""The drill's report: one JSON-ready dict, shown as Rich tables or printed as JSON.

Rule: rules.md §9 (after the night the party must be able to say what was sent, acknowledged,
refused and why, and prove the published totals).
"""

from __future__ import annotations

import datetime as dt
import platform
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.drill.run import DrillResult, options_dict

#: The issue's targets for the full Iowa drill (docs/drill.md).
TARGETS = {
    "submission_p99_ms": 500,
    "visible_p99_ms": 1000,
    "public_reads_per_s": 2000,
    "reports_per_s_sustained": 3,
    "reports_per_s_burst": 30,
}


def report(r: DrillResult) -> dict[str, Any]:
    s = r.metrics.summary()
    units = r.plan.units
    cfg = r.config
    return {
        "ok": r.ok,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": _cpus(),
        },
        "election": cfg.election,
        "results": str(cfg.results),
        "server": {"url": cfg.url, "serve": cfg.serve, "workers": cfg.workers},
        "options": options_dict(r.plan.options),
        "readers": cfg.readers,
        "units": {
            "planned": len(units),
            "chair": sum(u.channel == "chair" for u in units),
            "hotline": sum(u.channel == "hotline" for u in units),
            "file_defects": sum(bool(u.refused) for u in units),
            "cannot_report": sum(bool(u.refused) and u.fixed is None for u in units),
            "signed_in_before": sum(u.signin_at is not None for u in units),
            "reported": len(r.ledger.expected),
        },
        "desk_at_the_end": r.desk,
        "setup_seconds": round(r.setup_seconds, 1),
        "metrics": s,
        "public_not_modified": r.readers.not_modified,
        "checks": [c.to_dict() for c in r.checks],
        "accepted_reports": str(r.accepted_file),
        "targets": TARGETS,
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} ms"


def show(console: Console, rep: dict[str, Any]) -> None:
    m = rep["metrics"]
    u = rep["units"]
    console.print(
        f"[bold]Drill of {escape(rep['election'])}[/] — {u['planned']} units "
        f"({u['chair']} by chairs, {u['hotline']} by hotline), "
        f"{u['reported']} reported; night {m['night_seconds']} s real"
    )
    t = Table(title="The night")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("target", justify="right")
    sub, vis, pub = m["submission_ms"], m["report_to_visible_ms"], m["public"]
    rate = m["accepted_per_second"]
    rows = [
        ("requests sent", f"{m['sent']:,}", ""),
        (
            "results accepted (per s, mean / peak 10 s)",
            f"{rate['mean']} / {rate['peak_10s']}",
            "≥ 3 / 30",
        ),
        ("submission p50 / p99", f"{_ms(sub['p50'])} / {_ms(sub['p99'])}", "p99 < 500 ms"),
        ("report-to-visible p50 / p99", f"{_ms(vis['p50'])} / {_ms(vis['p99'])}", "p99 < 1 s"),
        ("never visible", str(vis["never_seen"]), "0"),
        (
            "public reads (all) / per s during the night",
            f"{pub['reads']:,} / {pub['per_second_night']:,}",
            "≥ 2,000/s",
        ),
        ("public read p50 / p99", f"{_ms(pub['p50_ms'])} / {_ms(pub['p99_ms'])}", ""),
        ("answers 5xx", str(m["answers_5xx"] or 0), "0 × 500"),
        ("retries (same Idempotency-Key)", str(m["retries"]), ""),
        ("real chairs/operators throttled", str(m["real_actors_throttled"]), "0"),
        ("flood answers", str(m["flood"]), ""),
    ]
    for row in rows:
        t.add_row(*row)
    console.print(t)
    o = Table(title="Outcomes")
    o.add_column("what")
    o.add_column("count", justify="right")
    for k, v in m["outcomes"].items():
        o.add_row(escape(k), str(v))
    for k, v in m["refused"].items():
        o.add_row(escape(f"refused: {k}"), str(v))
    for k, v in m["malformed"].items():
        o.add_row(escape(f"malformed: {k}"), str(v))
    console.print(o)
    desk = rep.get("desk_at_the_end") or {}
    if desk:
        console.print("Desk at the end: " + escape(", ".join(f"{k} {v}" for k, v in desk.items())))
    for f in m["faults"]:
        console.print(f"fault at {f['at']} s: {escape(f['fault'])} (down {f['down_s']} s)")
    p = Table(title="The proof")
    p.add_column("check")
    p.add_column("")
    p.add_column("evidence")
    for c in rep["checks"]:
        p.add_row(
            escape(c["name"]), "[green]ok[/]" if c["ok"] else "[red]FAILED[/]", escape(c["detail"])
        )
    console.print(p)
    for c in rep["checks"]:
        for prob in c["problems"][:10]:
            console.print(f"[red]{escape(c['name'])}:[/] {escape(prob)}")
    console.print(
        f"Accepted reports: {escape(rep['accepted_reports'])} (re-check with "
        f"`caucus tabulate --election {escape(rep['election'])} --results FILE`)"
    )
