"""One unit's finding in the audit: which classes apply to it, and why, in words.

Rule: rules.md §6 (the method: published SDE -> delegates = SDE / (value / D), recompute with
N = first-alignment total), §4 (realignment checks), §5.6 (one-delegate precincts), §7.3
(satellite sites valued by turnout, the IDP's reading).

Classes, in the order a precinct's ``finding`` takes the first that applies (``classes`` lists
every one that applies):

* ``match``: the recomputed delegates are the published ones;
* ``match-up-to-toss``: the published split is one outcome of the pending coin toss(es);
* ``published-delegates-not-D``: the published SDEs convert to a delegate total other than D;
* ``final-above-first``: the final alignment outnumbers the first (nobody joins, §4);
* ``viable-group-shrank``: a group viable in the first alignment lost members (§4);
* ``more-viable-than-D``: more viable groups than delegates (§5.7 step 5);
* ``duplicate``: the same first + final + SDE vector as another unit of the same county;
* ``all-zeros``: nothing was recorded;
* ``one-delegate``: D = 1 and the delegate went elsewhere than the recomputation says;
* ``site-d-unknown``: a Nevada at-large site whose D is not given (not recomputed; give it
  with ``--site-delegates``);
* ``unexplained``: none of the above.

Inputs: the election, one recomputed unit (:class:`~caucuskit.services.tabulation_model.UnitResult`)
and the name of a unit of its county with the same numbers, if any. Outputs: a :class:`Finding`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.election import Election
from caucuskit.core.rounding import decimal_str
from caucuskit.core.sde import sde_to_delegates
from caucuskit.core.viability import viability_threshold, viable_groups
from caucuskit.services.recount import Recount
from caucuskit.services.tabulation_model import UnitResult

CLASSES: tuple[str, ...] = (
    "match",
    "match-up-to-toss",
    "published-delegates-not-D",
    "final-above-first",
    "viable-group-shrank",
    "more-viable-than-D",
    "duplicate",
    "all-zeros",
    "one-delegate",
    "site-d-unknown",
    "unexplained",
)


@dataclass(frozen=True)
class Finding:
    """The audit of one reporting unit."""

    county: str
    precinct: str
    satellite: bool
    finding: str
    classes: tuple[str, ...]
    delegates: int
    attendees: int
    value: Fraction
    threshold: int | None
    first: Mapping[str, int]
    final: Mapping[str, int]
    published_sde: Mapping[str, Fraction]
    published_delegates: Mapping[str, int]
    residues: Mapping[str, Fraction]
    recomputed_delegates: Mapping[str, int]
    recomputed_sde: Mapping[str, Fraction]
    toss_outcomes: tuple[Mapping[str, int], ...]
    problems: tuple[str, ...]
    explanation: str
    ordinary: bool
    duplicate_of: str | None = None

    @property
    def difference(self) -> dict[str, Fraction]:
        """Recomputed minus published SDE per candidate (only non-zero entries)."""
        names = set(self.recomputed_sde) | set(self.published_sde)
        diff = {
            c: self.recomputed_sde.get(c, Fraction(0)) - self.published_sde.get(c, Fraction(0))
            for c in sorted(names)
        }
        return {c: v for c, v in diff.items() if v}

    def to_dict(self) -> dict[str, object]:
        return {
            "county": self.county,
            "precinct": self.precinct,
            "satellite": self.satellite,
            "finding": self.finding,
            "classes": list(self.classes),
            "ordinary": self.ordinary,
            "explanation": self.explanation,
            "delegates": self.delegates,
            "attendees": self.attendees,
            "threshold": self.threshold,
            "value": decimal_str(self.value, 4),
            "first": {c: v for c, v in self.first.items() if v},
            "final": {c: v for c, v in self.final.items() if v},
            "published_sde": {c: decimal_str(v, 4) for c, v in self.published_sde.items() if v},
            "published_delegates": dict(self.published_delegates),
            "published_delegates_total": sum(self.published_delegates.values()),
            "residues": {c: decimal_str(v, 4) for c, v in self.residues.items() if v},
            "recomputed_delegates": dict(self.recomputed_delegates),
            "recomputed_sde": {c: decimal_str(v, 4) for c, v in self.recomputed_sde.items()},
            "difference": {c: decimal_str(v, 4) for c, v in self.difference.items()},
            "toss_outcomes": [dict(o) for o in self.toss_outcomes],
            "problems": list(self.problems),
            "duplicate_of": self.duplicate_of,
        }


def fmt_delegates(d: Mapping[str, int]) -> str:
    return " ".join(f"{c}={n}" for c, n in sorted(d.items()) if n)


@dataclass(frozen=True)
class _Facts:
    """What one unit's finding is judged from: its counts, the published split as delegates
    (rules.md §6: SDE / (value / D), the whole part), the threshold and viable groups."""

    d: int
    value: Fraction
    first: dict[str, int]
    final: dict[str, int]
    pub: dict[str, Fraction]
    pub_won: dict[str, int]
    residues: dict[str, Fraction]
    attendees: int
    threshold: int | None
    viable_first: tuple[str, ...]
    viable_final: tuple[str, ...]
    empty: bool
    d_unknown: bool

    @property
    def total_pub(self) -> int:
        return sum(self.pub_won.values())


def _facts(election: Election, u: UnitResult) -> _Facts:
    r, rc = u.report, u.recount
    assert rc is not None
    d, value = u.delegates, u.value
    first = {c: v for c, v in r.first.items() if v}
    final = {c: v for c, v in r.final.items() if v}
    pub = {c: v for c, v in (r.published_sde or {}).items() if v}
    pub_won: dict[str, int] = {}
    residues: dict[str, Fraction] = {}
    for c, v in pub.items():
        whole, rest = sde_to_delegates(v, value, d)
        if whole:
            pub_won[c] = whole
        residues[c] = rest
    n = rc.attendees
    threshold = viability_threshold(election.rules, d, n) if d >= 2 and n > 0 else None
    return _Facts(
        d=d,
        value=value,
        first=first,
        final=final,
        pub=pub,
        pub_won=pub_won,
        residues=residues,
        attendees=n,
        threshold=threshold,
        viable_first=tuple(viable_groups(first, threshold)) if threshold is not None else (),
        viable_final=tuple(viable_groups(final, threshold)) if threshold is not None else (),
        empty=not first and not final and not pub,
        d_unknown=u.precinct.at_large and u.precinct.delegates is None,
    )


def _match(election: Election, rc: Recount, f: _Facts) -> list[tuple[str, str]]:
    """Whether the recount gives the published split, alone or as one outcome of a toss."""
    # Base recomputation without the published split settling any toss.
    base = dict(rc.won) if rc.toss_source is None else None
    if f.empty or f.d_unknown:
        return []
    if rc.error is None and base is not None and rc.pending is None and base == f.pub_won:
        return [("match", "recomputed delegates equal the published ones")]
    if rc.error is None and rc.outcomes and f.pub_won in [dict(o) for o in rc.outcomes]:
        return [
            (
                "match-up-to-toss",
                f"the published split is one of {len(rc.outcomes)} outcomes of the "
                f"{election.rules.tie_method.value}(s)",
            )
        ]
    return []


def _count_notes(election: Election, u: UnitResult, f: _Facts) -> list[tuple[str, str]]:
    """What is odd in the counts themselves (rules.md §3.2, §4, §6)."""
    notes = []
    if f.total_pub != f.d and not f.empty:
        notes.append(
            (
                "published-delegates-not-D",
                f"published {election.unit_short}s convert to {f.total_pub} delegates, "
                f"D = {f.d}" + (" (an at-large site whose D is not given)" if f.d_unknown else ""),
            )
        )
    if sum(f.final.values()) > sum(f.first.values()):
        notes.append(
            (
                "final-above-first",
                f"final total {sum(f.final.values())} > first total {sum(f.first.values())}",
            )
        )
    shrank = [g for g in f.viable_first if f.final.get(g, 0) < f.first[g]]
    if shrank:
        notes.append(
            (
                "viable-group-shrank",
                "viable in the first alignment but smaller in the final: "
                + ", ".join(f"{g} {f.first[g]}->{f.final.get(g, 0)}" for g in shrank),
            )
        )
    if f.threshold is not None and len(f.viable_final) > f.d:
        notes.append(
            ("more-viable-than-D", f"{len(f.viable_final)} viable groups for {f.d} delegates")
        )
    return notes


def _one_delegate(f: _Facts) -> tuple[str, str]:
    top = max(f.final.values())
    largest = sorted(g for g, v in f.final.items() if v == top)
    got = sorted(f.pub_won) or ["nobody"]
    return (
        "one-delegate",
        f"published winner {', '.join(got)} "
        f"({', '.join(str(f.final.get(g, 0)) for g in got if g in f.final) or '-'}); "
        f"largest final group {', '.join(largest)} ({top})",
    )


def _unexplained(rc: Recount, f: _Facts) -> list[tuple[str, str]]:
    why = [
        (
            "unexplained",
            f"recomputed {fmt_delegates(rc.won) or 'nothing'} "
            f"vs published {fmt_delegates(f.pub_won)}" + (f"; {rc.error}" if rc.error else ""),
        )
    ]
    if rc.pending is not None:
        why.append(
            (
                "",
                f"a {rc.pending.method} between {', '.join(rc.pending.groups)} is "
                f"pending and none of its {len(rc.outcomes)} outcomes is the published "
                "split",
            )
        )
    return why


def _notes(
    election: Election, u: UnitResult, rc: Recount, f: _Facts, dup_of: str | None
) -> list[tuple[str, str]]:
    """(class, why) pairs, the finding's class first; a class "" adds to the reason only."""
    notes = _match(election, rc, f) + _count_notes(election, u, f)
    if dup_of is not None:
        notes.append(
            (
                "duplicate",
                f"same first, final and {election.unit_short} numbers as {dup_of!r} in "
                f"{u.precinct.county}",
            )
        )
    if f.empty:
        notes.append(("all-zeros", f"no counts and no {election.unit_short}s recorded"))
    if f.d == 1 and all(c != "match" for c, _ in notes) and f.final:
        notes.append(_one_delegate(f))
    if f.d_unknown and not f.empty:
        notes = [
            (
                "site-d-unknown",
                "an at-large site whose D (set from expected turnout) is not in the data: not "
                f"recomputed; give it with --site-delegates '{u.precinct.name}=D'",
            )
        ]
    return notes or _unexplained(rc, f)


def finding(election: Election, u: UnitResult, dup_of: str | None) -> Finding:
    rc = u.recount
    assert rc is not None
    f = _facts(election, u)
    notes = _notes(election, u, rc, f, dup_of)
    classes = [c for c, _ in notes if c]
    why = [w for _, w in notes]
    d, value, n, threshold = f.d, f.value, f.attendees, f.threshold
    first, final, pub, pub_won, residues = f.first, f.final, f.pub, f.pub_won, f.residues
    total_pub, viable_final = f.total_pub, f.viable_final
    recomputed_sde = dict(u.sde)
    ordinary = (
        not u.precinct.satellite
        and d >= 2
        and total_pub == d
        and len(viable_final) <= d
        and bool(first or final)
    )
    return Finding(
        county=u.precinct.county,
        precinct=u.precinct.name,
        satellite=u.precinct.satellite,
        finding=classes[0],
        classes=tuple(classes),
        delegates=d,
        attendees=n,
        value=value,
        threshold=threshold,
        first=first,
        final=final,
        published_sde=pub,
        published_delegates=pub_won,
        residues=residues,
        recomputed_delegates=dict(rc.won),
        recomputed_sde=recomputed_sde,
        toss_outcomes=rc.outcomes,
        problems=rc.problems,
        explanation="; ".join(why),
        ordinary=ordinary,
        duplicate_of=dup_of,
    )
