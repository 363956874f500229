"""The race call from county-level SDEs (2016: no precinct results were published).

Rule: rules.md §7.2 (2016 SDEs to two decimals), §8.1 (2016 seats), §8.2 (D-Math), §8.4.

Inputs: an election, county SDEs per candidate (the 2016 county file) and the statewide
total of state delegates (1,406 in 2016).
Outputs: :class:`CountyCall`: the SDE lead, at-large and PLEO (statewide: exact, because the
outstanding SDEs count statewide wherever they are), and per district either "decided even
if every outstanding SDE were in this district" or "cannot be judged without county totals".

What is outstanding: total - the SDEs in the file, an amount whose counties are unknown (the
2016 county totals S_c are not in any data set). Statewide, that mass may go to any candidate
in any split (every outstanding precinct may be won by anyone), so the statewide units are
called as usual. For a district, the mass may or may not be there: a district is decided only
when even the whole outstanding mass placed in it could not change its split (a proof); a
completion that would change it is not admissible unless the mass is really there, so such a
district is reported as not judgeable, never as "open".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.bounds import RaceCall, RaceInput, ScopeState, call_race
from caucuskit.core.election import Election
from caucuskit.core.national import fast_allocate
from caucuskit.core.national_bounds import prove_unit
from caucuskit.core.rounding import decimal_str

ZERO = Fraction(0)
OUTSTANDING = "outstanding SDEs (counties unknown)"


@dataclass
class DistrictVerdict:
    unit: str
    seats: int
    current: dict[str, int]
    decided: bool
    reason: str


@dataclass
class CountyCall:
    election: Election
    total: Fraction
    reported: Fraction
    statewide: dict[str, Fraction]
    call: RaceCall
    race: RaceInput
    districts: list[DistrictVerdict] = field(default_factory=list)

    @property
    def outstanding(self) -> Fraction:
        return self.total - self.reported


def call_county_sde(
    election: Election, sde: Mapping[str, Mapping[str, Fraction]], total: Fraction
) -> CountyCall:
    """Call the race from county SDEs and the known statewide total ``total``."""
    statewide: dict[str, Fraction] = {}
    districts: dict[int, dict[str, Fraction]] = {d: {} for d in election.national.district}
    for county, per in sde.items():
        c = election.county_by_name.get(county)
        for name, v in per.items():
            if not v:
                continue
            statewide[name] = statewide.get(name, ZERO) + v
            if c is not None and c.district is not None:
                districts[c.district][name] = districts[c.district].get(name, ZERO) + v
    reported = sum(statewide.values(), ZERO)
    if total < reported:
        raise ValueError(f"the statewide total {total} is below the SDEs already in ({reported})")
    open_ = total - reported
    cands = tuple(sorted(election.candidate_names))
    scopes = [ScopeState(d, dict(v), dict(v)) for d, v in sorted(districts.items())]
    elsewhere = {
        c: v - sum((districts[d].get(c, ZERO) for d in districts), ZERO)
        for c, v in statewide.items()
    }
    elsewhere = {c: v for c, v in elsewhere.items() if v}
    # The outstanding mass counts statewide only: its districts are unknown. Any candidate
    # may win any part of it (item_seats 0: won whole; a vertex; splits are in the bound).
    scopes.append(
        ScopeState(
            None,
            elsewhere,
            elsewhere,
            ((OUTSTANDING, open_),) if open_ else (),
            (),
            item_seats=(0,) if open_ else (),
            sites_open=bool(open_),
        )
    )
    race = RaceInput(cands, tuple(scopes), election.national)
    call = call_race(race)
    out = CountyCall(election, total, reported, statewide, call, race)
    for d, seats in sorted(election.national.district.items()):
        votes = districts[d]
        now = fast_allocate(votes, seats)
        ok, proof, _, _ = prove_unit(seats, votes, open_, [], dict(now.delegates), cands)
        ok = ok and now.pending_lot is None
        reason = (
            f"decided even if all {decimal_str(open_, 2)} outstanding SDEs were in CD{d}"
            if ok
            else f"cannot be judged without county totals: if the outstanding "
            f"{decimal_str(open_, 2)} SDEs were in CD{d}, "
            + (proof[-1] if proof else "its split could change")
        )
        out.districts.append(DistrictVerdict(f"CD{d}", seats, dict(now.delegates), ok, reason))
    return out


def county_call_to_dict(cc: CountyCall, places: int = 2) -> dict[str, object]:
    """JSON form: the lead, then per national unit its split and a plain verdict."""
    units: list[dict[str, object]] = []
    for d in cc.districts:
        units.append(
            {
                "unit": d.unit,
                "seats": d.seats,
                "current": d.current,
                "status": "decided" if d.decided else "not judgeable",
                "verdict": d.reason,
            }
        )
    for u in cc.call.national.units:
        if u.unit.startswith("CD"):
            continue
        if u.status == "decided":
            verdict = "decided: " + (u.proof[-1] if u.proof else "")
        elif u.witness_split is not None and u.witness is not None:
            split = ", ".join(
                f"{c} {n}"
                for c, n in sorted(u.witness_split.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            label = u.witness.label.replace("every outstanding unit", "every outstanding SDE")
            verdict = f"open: if {label}, {split}"
        else:
            verdict = "open: " + (u.proof[-1] if u.proof else "")
        units.append(
            {
                "unit": u.unit,
                "seats": u.seats,
                "current": u.current,
                "status": u.status,
                "verdict": verdict,
            }
        )
    return {
        "election": cc.election.id,
        "total": decimal_str(cc.total, places),
        "reported": decimal_str(cc.reported, places),
        "outstanding": decimal_str(cc.outstanding, places),
        "statewide": {
            c: decimal_str(v, places)
            for c, v in sorted(cc.statewide.items(), key=lambda kv: -kv[1])
        },
        "lead": {
            "leader": cc.call.lead.leader,
            "status": "decided" if cc.call.lead.decided else "open",
            "explanation": cc.call.lead.explain(places),
        },
        "units": units,
    }
