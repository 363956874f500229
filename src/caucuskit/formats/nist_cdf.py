"""NIST SP 1500-100 v2 Election Results Common Data Format (JSON) for caucus results.

Mapping (rules.md §9: publish raw alignments and derived results; §7.2 display precision):

* ``GpUnit``: one ``ReportingUnit`` for the state, one per congressional district, one per
  county (satellite pools included, ``OtherType`` notes them) and one per precinct/site.
* One ``CandidateContest`` (the presidential preference), one ``CandidateSelection`` per
  candidate. Its ``VoteCounts`` have ``Type`` = ``other`` and ``OtherType`` =
  ``first-alignment``, ``final-alignment``, ``county-convention-delegates`` or
  ``state-delegate-equivalents`` per precinct, plus statewide totals and, with ``Type`` =
  ``seats``, the national-delegate projection.
* ``Count`` is a JSON number: SDEs are exported rounded half up (4 decimals per precinct, the
  ruleset's total precision statewide); the exact record stays in caucuskit's own formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from caucuskit.core.election import Election
from caucuskit.core.rounding import decimal_str

P = "ElectionResults."
STATUSES = ("unofficial-partial", "unofficial-complete", "certified", "correction", "recount")


@dataclass(frozen=True)
class CdfUnit:
    """One reporting unit's current result."""

    county: str
    precinct: str
    first: Mapping[str, int]
    final: Mapping[str, int]
    delegates: Mapping[str, int]
    sde: Mapping[str, Fraction]
    attendees: int | None = None


def _text(value: str) -> dict[str, Any]:
    return {"@type": P + "InternationalizedText",
            "Text": [{"@type": P + "LanguageString", "Content": value, "Language": "en"}]}


def _number(x: Fraction, places: int) -> float | int:
    text = decimal_str(x, places)
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(d)


def _count(gp: str, kind: str, value: float | int, other: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": P + "VoteCounts", "GpUnitId": gp, "Type": kind,
                           "Count": value}
    if other is not None:
        out["OtherType"] = other
    return out


def election_report(
    election: Election,
    units: Sequence[CdfUnit],
    *,
    status: str,
    generated: datetime,
    election_date: str,
    national: Mapping[str, int] | None = None,
    issuer: str = "caucuskit",
    sequence: int = 1,
) -> dict[str, Any]:
    """The whole election as one CDF ``ElectionReport`` (JSON-ready)."""
    if status not in STATUSES:
        raise ValueError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    state_id = "gpu-state"
    cd_ids = {d: f"gpu-cd{d}" for d in sorted(election.national.district)}
    county_ids = {c.name: f"gpu-county-{i}" for i, c in enumerate(election.counties, 1)}
    precinct_ids = {p.key: f"gpu-precinct-{i}" for i, p in enumerate(election.precincts, 1)}
    reported = {(u.county, u.precinct) for u in units}
    gp: list[dict[str, Any]] = []
    top = [cd_ids[d] for d in cd_ids] + [county_ids[c.name] for c in election.counties
                                        if c.district is None]
    gp.append({"@id": state_id, "@type": P + "ReportingUnit", "Type": "state",
               "Name": _text(election.title), "ComposingGpUnitIds": top,
               "TotalSubUnits": len(election.precincts), "SubUnitsReported": len(reported)})
    for d, gid in cd_ids.items():
        gp.append({"@id": gid, "@type": P + "ReportingUnit", "Type": "congressional",
                   "Name": _text(f"Congressional District {d}"), "Number": str(d),
                   "ComposingGpUnitIds": [county_ids[c.name] for c in election.counties
                                          if c.district == d]})
    by_county: dict[str, list[str]] = {}
    for p in election.precincts:
        by_county.setdefault(p.county, []).append(precinct_ids[p.key])
    for c in election.counties:
        unit: dict[str, Any] = {"@id": county_ids[c.name], "@type": P + "ReportingUnit",
                                "Type": "other" if c.satellite else "county",
                                "Name": _text(c.name),
                                "ComposingGpUnitIds": by_county.get(c.name, [])}
        if c.satellite:
            unit["OtherType"] = "satellite-caucus-pool"
        gp.append(unit)
    attendees = {(u.county, u.precinct): u.attendees for u in units}
    for p in election.precincts:
        unit = {"@id": precinct_ids[p.key], "@type": P + "ReportingUnit",
                "Type": "other" if p.satellite else "precinct", "Name": _text(p.name)}
        if p.satellite:
            unit["OtherType"] = "satellite-caucus"
        turnout = attendees.get(p.key)
        if turnout is not None:
            unit["VotersParticipated"] = turnout
        gp.append(unit)
    names = [c.name for c in election.candidates]
    cand_ids = {n: f"cand-{i}" for i, n in enumerate(names, 1)}
    pp, pt = election.sde_places_precinct, election.sde_places_total
    totals: dict[str, Fraction] = {n: Fraction(0) for n in names}
    counts: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for u in units:
        if (u.county, u.precinct) not in precinct_ids:
            raise ValueError(f"{u.county}/{u.precinct}: not a precinct of {election.id}")
        gid = precinct_ids[(u.county, u.precinct)]
        for n in names:
            counts[n].append(_count(gid, "other", u.first.get(n, 0), "first-alignment"))
            counts[n].append(_count(gid, "other", u.final.get(n, 0), "final-alignment"))
            counts[n].append(_count(gid, "other", u.delegates.get(n, 0),
                                    "county-convention-delegates"))
            x = u.sde.get(n, Fraction(0))
            totals[n] += x
            if election.unit == "sde":  # a CCD election (Nevada) has no SDEs: D are the CCDs
                counts[n].append(_count(gid, "other", _number(x, pp),
                                        "state-delegate-equivalents"))
    headline = election.unit_long.replace(" ", "-")  # state-delegate-equivalents, or CCDs
    for n in names:
        counts[n].append(_count(state_id, "other", _number(totals[n], pt), headline))
        if national is not None:
            counts[n].append(_count(state_id, "seats", national.get(n, 0), None))
    selections = [{"@id": f"sel-{i}", "@type": P + "CandidateSelection",
                   "CandidateIds": [cand_ids[n]], "SequenceOrder": i, "VoteCounts": counts[n]}
                  for i, n in enumerate(names, 1)]
    contest = {"@id": "contest-president", "@type": P + "CandidateContest",
               "Name": "Presidential preference (caucus)", "ElectionDistrictId": state_id,
               "VotesAllowed": 1, "NumberElected": election.national.total,
               "ContestSelection": selections}
    candidates = [{"@id": cand_ids[n], "@type": P + "Candidate", "BallotName": _text(n)}
                  for n in names]
    stamp = generated.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@type": P + "ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": stamp,
        "Issuer": issuer,
        "IssuerAbbreviation": issuer[:20],
        "SequenceStart": sequence,
        "SequenceEnd": sequence,
        "Status": status,
        "VendorApplicationId": "caucuskit",
        "GpUnit": gp,
        "Election": [{
            "@type": P + "Election", "ElectionScopeId": state_id, "Name": _text(election.title),
            "StartDate": election_date, "EndDate": election_date, "Type": "other",
            "OtherType": "caucus", "Candidate": candidates, "Contest": [contest],
        }],
    }
