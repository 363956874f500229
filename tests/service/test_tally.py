"""The incremental public snapshot equals the exact tabulation, report after report.

The builder never re-tabulates: it adds up the delegates and ``p/q`` SDEs stored when each
report was accepted (rules.md §7.1) and re-divides a satellite pool by turnout (§7.3). These
tests replay real 2020 reports of four counties (with random toss outcomes, random order and
random recanvasses) and compare, after every step, the incrementally kept documents with
(a) :func:`caucuskit.services.tabulate.tabulate` over the current reports (the reference) and
(b) a set built from scratch (the same bytes and ETags: workers agree).
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

from caucuskit.services.history import current_reports
from caucuskit.services.snapshot import Builder, build_documents
from caucuskit.services.tabulate import tabulate
from service.public_support import RESULTS_100, real_reports, submit, swapped
from service.service_support import make_service


def _check(ctx: object, builder: Builder) -> None:
    from caucuskit.services.context import Context

    assert isinstance(ctx, Context)
    built = builder.catch_up()
    tab = tabulate(ctx.election, current_reports(ctx))
    docs = built.documents
    for c in ctx.election.counties:
        doc = docs[f"counties/{c.name.lower().replace(' ', '-')}"]
        got = {r["name"]: Fraction(r["sde"]) for r in doc["candidates"] if Fraction(r["sde"])}
        want = {k: v for k, v in tab.counties.get(c.name, {}).items() if v}
        assert got == want, c.name
    state = docs["state"]
    assert {
        r["name"]: Fraction(r["sde"]) for r in state["candidates"] if Fraction(r["sde"])
    } == tab.statewide
    assert state["national"]["total"] == {c: n for c, n in tab.national.total.items() if n}
    for name, unit in tab.national.units.items():
        if name.startswith("CD"):
            got_unit = docs[f"districts/{name[2:]}"]["national"]["district"]
        else:
            got_unit = state["national"]["at_large" if name == "at-large" else "pleo"]
        assert got_unit == {c: k for c, k in unit.delegates.items() if k}, name
    assert state["precincts"]["reporting"] == tab.reporting.reported
    # a set built from scratch has the same bytes: every worker serves the same ETags
    with ctx.db.read() as s:
        fresh = build_documents(ctx, s)
    for path, e in built.entries.items():
        assert fresh.entries[path].body == e.body, path
    assert fresh.etag == built.etag


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_snapshot_equals_the_tabulation(
    tmp_path: Path, seed: int, data_dir: Path
) -> None:
    assert RESULTS_100.is_file()
    ctx = make_service(str(tmp_path / "t.sqlite"))
    rng = random.Random(seed)
    reports = real_reports(ctx, rng)
    assert len(reports) > 150 and any(r.tosses for r in reports.values())
    assert any(ctx.by_pk[pk].satellite for pk in reports)
    order = list(reports)
    rng.shuffle(order)
    builder = Builder(ctx)
    _check(ctx, builder)
    done: list[int] = []
    checks = {len(order) // 3, len(order) - 1} | set(rng.sample(range(len(order)), 4))
    for i, pk in enumerate(order):
        assert submit(ctx, ctx.by_pk[pk], reports[pk]) == "accepted"
        done.append(pk)
        if rng.random() < 0.05:  # a recanvass of an earlier report
            again = rng.choice(done)
            p = ctx.by_pk[again]
            if not p.satellite:
                rep = swapped(reports[again], rng)
                if not rep.tosses:
                    submit(ctx, p, rep, channel="recanvass")
        if i in checks:
            _check(ctx, builder)
    changes = builder.catch_up().documents["changes"]["changes"]
    assert changes and all(ch["kind"] == "recanvass" for ch in changes)
    ctx.db.dispose()
