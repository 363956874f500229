"""What a change does to the results: a diff between two moments, the preview of a correction.

Rule: rules.md §9 (every correction must be traceable), §7 (SDEs), §8.2 (the national-delegate
effect of a change).

Inputs: the service context and two moments (:func:`diff`), or a precinct and the report that
would correct it (:func:`preview_correction`). Outputs: JSON-ready dicts for the results desk:
the precincts changed, the SDE delta and the national delegates before and after. Nothing is
stored.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from caucuskit.core.checks import departures
from caucuskit.core.model import PrecinctInput
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str
from caucuskit.db.models import ReportVersion
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.history import as_report, current_versions
from caucuskit.services.snapshot import build_documents, sde_delta
from caucuskit.services.submit import ReportInput
from caucuskit.services.tabulate import tabulate


def diff(ctx: Context, start: datetime, end: datetime | None = None) -> dict[str, Any]:
    """Which precincts changed between two moments; the effect on SDEs and national delegates."""
    end = end or ctx.clock()
    places = ctx.election.sde_places_total
    with ctx.db.read() as s:
        before = current_versions(s, start)
        after = current_versions(s, end)
        doc_before = build_documents(ctx, s, start)
        doc_after = build_documents(ctx, s, end)
    changed = []
    total: dict[str, Fraction] = {}
    for pk in sorted(set(before) | set(after)):
        a, b = before.get(pk), after.get(pk)
        if a is not None and b is not None and a.id == b.id:
            continue
        p = ctx.by_pk[pk]
        delta = sde_delta(a.sde if a else {}, b.sde if b else {})
        for c, x in delta.items():
            total[c] = total.get(c, Fraction(0)) + x

        def side(v: ReportVersion | None) -> dict[str, Any] | None:
            return (
                None
                if v is None
                else {
                    "version_id": v.id,
                    "channel": v.channel,
                    "delegates": v.delegates,
                    "sde_display": v.answer.get("sde_display", {}),
                }
            )

        changed.append(
            {
                "precinct_id": p.id,
                "county": p.county,
                "precinct": p.name,
                "before": side(a),
                "after": side(b),
                "sde_delta": {c: str(x) for c, x in delta.items()},
                "sde_delta_display": {c: decimal_str(x, 4) for c, x in delta.items()},
            }
        )
    nb = doc_before.documents["state"]["national"]["total"]
    na = doc_after.documents["state"]["national"]["total"]
    total = {c: x for c, x in total.items() if x}
    return {
        "from": iso(start),
        "to": iso(end),
        "changed": changed,
        "sde_delta": {c: str(x) for c, x in sorted(total.items())},
        "sde_delta_display": {c: decimal_str(x, places) for c, x in sorted(total.items())},
        "national_before": nb,
        "national_after": na,
        "national_delta": _national_delta(nb, na),
    }


def _national_delta(nb: dict[str, int], na: dict[str, int]) -> dict[str, int]:
    """National delegates after minus before, per candidate whose count changes (§8.2)."""
    return {
        c: na.get(c, 0) - nb.get(c, 0)
        for c in sorted(set(nb) | set(na))
        if na.get(c, 0) != nb.get(c, 0)
    }


def _stored(cur: ReportVersion) -> dict[str, Any]:
    """The precinct's current version as the preview shows it: its report, delegates, SDEs."""
    return {
        "report": {
            "attendees": cur.attendees,
            "first": cur.first,
            "final": cur.final,
            "tosses": cur.tosses,
        },
        "delegates": cur.delegates,
        "sde_display": cur.answer.get("sde_display", {}),
    }


def preview_correction(ctx: Context, precinct: PrecinctRef, report: ReportInput) -> dict[str, Any]:
    """What a correction would change, before it is saved: the precinct's delegates and SDEs,
    the statewide SDEs and the national delegates, before and after (nothing is stored).

    The report is checked exactly as :func:`caucuskit.services.submit.submit_report` checks it
    (a refused correction is refused here too). Rule: rules.md §9 (every correction traceable),
    §7 (SDEs), §8.2 (national delegates).
    """
    from caucuskit.services.submit import derive, require_complete

    derived = derive(ctx, precinct, report)
    require_complete(derived)
    places = ctx.election.sde_places_total
    with ctx.db.read() as s:
        current = current_versions(s)
    cur = current.get(precinct.pk)
    before_reports = [as_report(ctx, v) for _, v in sorted(current.items())]
    new = PrecinctReport(
        county=precinct.county,
        precinct=precinct.name,
        attendees=report.attendees,
        first=dict(report.first),
        final=dict(report.final),
        toss_winners=tuple(t.winner for t in report.tosses),
    )
    after_reports = [r for r in before_reports if r.key != new.key] + [new]
    before, after = tabulate(ctx.election, before_reports), tabulate(ctx.election, after_reports)
    names = sorted(set(before.statewide) | set(after.statewide))
    delta = {
        c: after.statewide.get(c, Fraction(0)) - before.statewide.get(c, Fraction(0)) for c in names
    }
    nb, na = dict(before.national.total), dict(after.national.total)
    return {
        "precinct_id": precinct.id,
        "before": None if cur is None else _stored(cur),
        "after": {
            "delegates": derived.delegates,
            "sde_display": derived.sde_display,
            "worksheet": derived.result.to_dict(),
            "people_left": departures(
                ctx.election.rules,
                PrecinctInput(
                    delegates=derived.result.delegates_to_elect,
                    attendees=report.attendees,
                    first=dict(report.first),
                    final=dict(report.final),
                ),
            ),
        },
        "statewide_sde_delta_display": {c: decimal_str(x, places) for c, x in delta.items() if x},
        "national_before": nb,
        "national_after": na,
        "national_delta": _national_delta(nb, na),
    }
