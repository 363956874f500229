"""Export the whole election: CSV (one row per precinct and candidate) and NIST SP 1500-100 CDF.

Rule: rules.md §9 (publish raw alignments next to the derived delegates and SDEs).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from fractions import Fraction
from typing import Any

from caucuskit.core.rounding import decimal_str
from caucuskit.formats.nist_cdf import CdfUnit, ElectionReport, election_report
from caucuskit.services.context import Context
from caucuskit.services.history import current_versions
from caucuskit.services.public_feed import PublicFeed

CSV_COLUMNS = (
    "county",
    "precinct",
    "precinct_id",
    "status",
    "version_id",
    "channel",
    "attendees",
    "candidate",
    "first",
    "final",
    "delegates",
    "sde",
    "sde_exact",
)


def _units(ctx: Context, as_of: datetime | None = None) -> list[tuple[Any, Any]]:
    with ctx.db.read() as s:
        current = current_versions(s, as_of)
    return [(ctx.by_pk[pk], v) for pk, v in sorted(current.items())]


def export_csv(ctx: Context) -> str:
    """Every current precinct result, one row per candidate with a count or a delegate."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    places = ctx.election.sde_places_precinct
    for p, v in _units(ctx):
        names = sorted(set(v.first) | set(v.final) | set(v.delegates))
        for n in names:
            x = Fraction(v.sde.get(n, "0"))
            w.writerow(
                [
                    p.county,
                    p.name,
                    p.id,
                    "accepted",
                    v.id,
                    v.channel,
                    v.attendees,
                    n,
                    v.first.get(n, 0),
                    v.final.get(n, 0),
                    v.delegates.get(n, 0),
                    decimal_str(x, places),
                    str(x),
                ]
            )
    return out.getvalue()


def export_cdf(ctx: Context, *, election_date: str | None = None) -> ElectionReport:
    """The NIST CDF ``ElectionReport`` of the current results (status from the snapshot)."""
    feed = PublicFeed(ctx)
    state, _ = feed.document("state")
    built = feed.current()
    units = []
    for p, v in _units(ctx):
        sde = {k: Fraction(x) for k, x in v.sde.items()}
        if p.satellite:
            # satellite SDEs depend on every site's turnout: take them from the tabulation
            county = built.documents.get(f"counties/{p.county_id}", {})
            sde = {}
            for kid in county.get("children", []):
                if kid["id"] == p.id:
                    sde = {k: Fraction(x) for k, x in kid["sde_display"].items()}
        units.append(
            CdfUnit(
                p.county, p.name, dict(v.first), dict(v.final), dict(v.delegates), sde, v.attendees
            )
        )
    generated = ctx.clock()
    return election_report(
        ctx.election,
        units,
        status=state["status"],
        generated=generated,
        election_date=election_date or generated.date().isoformat(),
        national=state["national"]["total"],
    )
