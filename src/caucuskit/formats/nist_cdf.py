"""NIST SP 1500-100 v2 Election Results Common Data Format (JSON) for caucus results.

Mapping (rules.md §9: publish raw alignments and derived results; §7.2 display precision):

* ``GpUnit``: one ``ReportingUnit`` for the state, one per congressional district, one per
  county (satellite pools included, ``OtherType`` notes them) and one per precinct/site.
* One ``CandidateContest`` (the presidential preference), one ``CandidateSelection`` per
  candidate. Its ``VoteCounts`` have ``Type`` = ``other`` and ``OtherType`` =
  ``first-alignment``, ``final-alignment``, ``county-convention-delegates`` or
  ``state-delegate-equivalents`` per precinct, plus statewide totals and, with ``Type`` =
  ``seats``, the national-delegate projection. A CCD election (Nevada, docs/adr/0011) has no
  SDE count: its precincts' delegates are the county convention delegates, and the statewide
  total is labelled ``county-convention-delegates`` too.
* ``Count`` is a JSON number: SDEs are exported rounded half up (4 decimals per precinct, the
  ruleset's total precision statewide); the exact record stays in caucuskit's own formats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Literal, NotRequired, TypedDict

from caucuskit.core.election import Election
from caucuskit.core.rounding import decimal_str

P = "ElectionResults."
STATUSES = ("unofficial-partial", "unofficial-complete", "certified", "correction", "recount")

# --------------------------------------------------------------------------- the document
# The CDF's own key names start with "@", so these types use TypedDict's functional form.

LanguageString = TypedDict("LanguageString", {"@type": str, "Content": str, "Language": str})
InternationalizedText = TypedDict(
    "InternationalizedText", {"@type": str, "Text": list[LanguageString]}
)
VoteCounts = TypedDict(
    "VoteCounts",
    {
        "@type": str,
        "GpUnitId": str,
        "Type": Literal["other", "seats"],
        "Count": float | int,
        "OtherType": NotRequired[str],
    },
)
ReportingUnit = TypedDict(
    "ReportingUnit",
    {
        "@id": str,
        "@type": str,
        "Type": str,
        "Name": InternationalizedText,
        "OtherType": NotRequired[str],
        "Number": NotRequired[str],
        "ComposingGpUnitIds": NotRequired[list[str]],
        "TotalSubUnits": NotRequired[int],
        "SubUnitsReported": NotRequired[int],
        "VotersParticipated": NotRequired[int],
    },
)
CandidateSelection = TypedDict(
    "CandidateSelection",
    {
        "@id": str,
        "@type": str,
        "CandidateIds": list[str],
        "SequenceOrder": int,
        "VoteCounts": list[VoteCounts],
    },
)
CandidateContest = TypedDict(
    "CandidateContest",
    {
        "@id": str,
        "@type": str,
        "Name": str,
        "ElectionDistrictId": str,
        "VotesAllowed": int,
        "NumberElected": int,
        "ContestSelection": list[CandidateSelection],
    },
)
Candidate = TypedDict("Candidate", {"@id": str, "@type": str, "BallotName": InternationalizedText})
ElectionEntry = TypedDict(
    "ElectionEntry",
    {
        "@type": str,
        "ElectionScopeId": str,
        "Name": InternationalizedText,
        "StartDate": str,
        "EndDate": str,
        "Type": str,
        "OtherType": str,
        "Candidate": list[Candidate],
        "Contest": list[CandidateContest],
    },
)
ElectionReport = TypedDict(
    "ElectionReport",
    {
        "@type": str,
        "Format": str,
        "GeneratedDate": str,
        "Issuer": str,
        "IssuerAbbreviation": str,
        "SequenceStart": int,
        "SequenceEnd": int,
        "Status": str,
        "VendorApplicationId": str,
        "GpUnit": list[ReportingUnit],
        "Election": list[ElectionEntry],
    },
)


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


def _text(value: str) -> InternationalizedText:
    return {
        "@type": P + "InternationalizedText",
        "Text": [{"@type": P + "LanguageString", "Content": value, "Language": "en"}],
    }


def _number(x: Fraction, places: int) -> float | int:
    """An SDE as a JSON number, rounded half up for export only (the exact value stays ours)."""
    text = decimal_str(x, places)
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(d)


def _count(
    gp: str, kind: Literal["other", "seats"], value: float | int, other: str | None
) -> VoteCounts:
    out: VoteCounts = {"@type": P + "VoteCounts", "GpUnitId": gp, "Type": kind, "Count": value}
    if other is not None:
        out["OtherType"] = other
    return out


# --------------------------------------------------------------------------- the units


@dataclass(frozen=True)
class _Ids:
    """The ``@id`` of every geographic unit and candidate of the document."""

    state: str
    districts: dict[int, str]
    counties: dict[str, str]
    precincts: dict[tuple[str, str], str]
    candidates: dict[str, str]

    @classmethod
    def of(cls, election: Election) -> _Ids:
        return cls(
            state="gpu-state",
            districts={d: f"gpu-cd{d}" for d in sorted(election.national.district)},
            counties={c.name: f"gpu-county-{i}" for i, c in enumerate(election.counties, 1)},
            precincts={p.key: f"gpu-precinct-{i}" for i, p in enumerate(election.precincts, 1)},
            candidates={c.name: f"cand-{i}" for i, c in enumerate(election.candidates, 1)},
        )


def _upper_units(election: Election, ids: _Ids, reported: int) -> list[ReportingUnit]:
    """The state, its congressional districts and its counties (satellite pools included)."""
    top = [*ids.districts.values()] + [
        ids.counties[c.name] for c in election.counties if c.district is None
    ]
    units: list[ReportingUnit] = [
        {
            "@id": ids.state,
            "@type": P + "ReportingUnit",
            "Type": "state",
            "Name": _text(election.title),
            "ComposingGpUnitIds": top,
            "TotalSubUnits": len(election.precincts),
            "SubUnitsReported": reported,
        }
    ]
    for d, gid in ids.districts.items():
        units.append(
            {
                "@id": gid,
                "@type": P + "ReportingUnit",
                "Type": "congressional",
                "Name": _text(f"Congressional District {d}"),
                "Number": str(d),
                "ComposingGpUnitIds": [
                    ids.counties[c.name] for c in election.counties if c.district == d
                ],
            }
        )
    by_county: dict[str, list[str]] = {}
    for p in election.precincts:
        by_county.setdefault(p.county, []).append(ids.precincts[p.key])
    for c in election.counties:
        unit: ReportingUnit = {
            "@id": ids.counties[c.name],
            "@type": P + "ReportingUnit",
            "Type": "other" if c.satellite else "county",
            "Name": _text(c.name),
            "ComposingGpUnitIds": by_county.get(c.name, []),
        }
        if c.satellite:
            unit["OtherType"] = "satellite-caucus-pool"
        units.append(unit)
    return units


def _precinct_units(
    election: Election, ids: _Ids, attendees: Mapping[tuple[str, str], int | None]
) -> list[ReportingUnit]:
    """One unit per precinct or satellite site, with its turnout where known."""
    units: list[ReportingUnit] = []
    for p in election.precincts:
        unit: ReportingUnit = {
            "@id": ids.precincts[p.key],
            "@type": P + "ReportingUnit",
            "Type": "other" if p.satellite else "precinct",
            "Name": _text(p.name),
        }
        if p.satellite:
            unit["OtherType"] = "satellite-caucus"
        turnout = attendees.get(p.key)
        if turnout is not None:
            unit["VotersParticipated"] = turnout
        units.append(unit)
    return units


# --------------------------------------------------------------------------- the counts


def _vote_counts(
    election: Election, ids: _Ids, units: Sequence[CdfUnit], national: Mapping[str, int] | None
) -> dict[str, list[VoteCounts]]:
    """Per candidate: each unit's alignments, delegates and SDEs; the statewide SDEs and seats."""
    names = [c.name for c in election.candidates]
    pp, pt = election.sde_places_precinct, election.sde_places_total
    totals: dict[str, Fraction] = {n: Fraction(0) for n in names}
    counts: dict[str, list[VoteCounts]] = {n: [] for n in names}
    for u in units:
        gid = ids.precincts.get((u.county, u.precinct))
        if gid is None:
            raise ValueError(f"{u.county}/{u.precinct}: not a precinct of {election.id}")
        for n in names:
            x = u.sde.get(n, Fraction(0))
            totals[n] += x
            counts[n] += [
                _count(gid, "other", u.first.get(n, 0), "first-alignment"),
                _count(gid, "other", u.final.get(n, 0), "final-alignment"),
                _count(gid, "other", u.delegates.get(n, 0), "county-convention-delegates"),
            ]
            if election.unit == "sde":  # a CCD election (Nevada) has no SDEs: D are the CCDs
                counts[n].append(_count(gid, "other", _number(x, pp), "state-delegate-equivalents"))
    headline = election.unit_long.replace(" ", "-")  # state-delegate-equivalents, or CCDs
    for n in names:
        counts[n].append(_count(ids.state, "other", _number(totals[n], pt), headline))
        if national is not None:
            counts[n].append(_count(ids.state, "seats", national.get(n, 0), None))
    return counts


def _contest(election: Election, ids: _Ids, counts: dict[str, list[VoteCounts]]) -> ElectionEntry:
    names = [c.name for c in election.candidates]
    selections: list[CandidateSelection] = [
        {
            "@id": f"sel-{i}",
            "@type": P + "CandidateSelection",
            "CandidateIds": [ids.candidates[n]],
            "SequenceOrder": i,
            "VoteCounts": counts[n],
        }
        for i, n in enumerate(names, 1)
    ]
    contest: CandidateContest = {
        "@id": "contest-president",
        "@type": P + "CandidateContest",
        "Name": "Presidential preference (caucus)",
        "ElectionDistrictId": ids.state,
        "VotesAllowed": 1,
        "NumberElected": election.national.total,
        "ContestSelection": selections,
    }
    candidates: list[Candidate] = [
        {"@id": ids.candidates[n], "@type": P + "Candidate", "BallotName": _text(n)} for n in names
    ]
    return {
        "@type": P + "Election",
        "ElectionScopeId": ids.state,
        "Name": _text(election.title),
        "StartDate": "",
        "EndDate": "",
        "Type": "other",
        "OtherType": "caucus",
        "Candidate": candidates,
        "Contest": [contest],
    }


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
) -> ElectionReport:
    """The whole election as one CDF ``ElectionReport`` (JSON-ready)."""
    if status not in STATUSES:
        raise ValueError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    ids = _Ids.of(election)
    reported = len({(u.county, u.precinct) for u in units})
    attendees = {(u.county, u.precinct): u.attendees for u in units}
    entry = _contest(election, ids, _vote_counts(election, ids, units, national))
    entry["StartDate"] = entry["EndDate"] = election_date
    return {
        "@type": P + "ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Issuer": issuer,
        "IssuerAbbreviation": issuer[:20],
        "SequenceStart": sequence,
        "SequenceEnd": sequence,
        "Status": status,
        "VendorApplicationId": "caucuskit",
        "GpUnit": _upper_units(election, ids, reported) + _precinct_units(election, ids, attendees),
        "Election": [entry],
    }
