"""The running tally of the public results: the current report of every precinct, kept up to
date one accepted decision at a time from the values stored when each report was accepted.

Rule: rules.md §7.1 (a precinct's SDEs are its delegates won x S_c / C_c, stored as exact
``"p/q"`` text by :func:`caucuskit.services.submit.derive`), §7.3 (satellite sites share their
pool in proportion to turnout, so a pool is re-divided whenever one of its sites reports), §9
(the current result of a precinct is its latest accepted version; every correction is kept).

Inputs: rows of ``decisions`` (accepted / superseded) joined to their ``report_versions``,
read after a known results version (:func:`load_changes`). Outputs: :class:`Tally`, whose
per-county totals (:class:`CountyTotals`) are recomputed only for the counties a change touched.
Nothing is re-tabulated from raw counts here: the tabulation of
:mod:`caucuskit.services.tabulate` is the reference, and tests/service/test_tally.py proves the
two agree on random sequences of reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caucuskit.core.election import Election, is_counted_unit
from caucuskit.core.rounding import scaled
from caucuskit.core.satellite import satellite_delegates
from caucuskit.core.sde import candidate_sdes, site_values
from caucuskit.db.models import Decision, ElectionRow, ReportVersion, ResultsState
from caucuskit.services.context import Context, PrecinctRef

ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Current:
    """What the public documents need of a precinct's current (accepted) version."""

    version_id: int
    channel: str
    actor: str
    reason: str
    attendees: int
    first: Mapping[str, int]
    final: Mapping[str, int]
    delegates: Mapping[str, int]
    sde_text: Mapping[str, str]
    worksheet: Mapping[str, Any]
    tosses: tuple[Mapping[str, Any], ...]

    @property
    def ties(self) -> list[Mapping[str, Any]]:
        ties: list[Mapping[str, Any]] = self.worksheet.get("ties", []) or []
        return ties


@dataclass(frozen=True, slots=True)
class Change:
    """One accepted or superseded decision with the version it names (a row of the delta)."""

    results_version: int
    precinct_pk: int
    status: str
    at: datetime
    actor: str
    reason: str
    version: Current


@dataclass(frozen=True, slots=True)
class Delta:
    """Everything that happened after one results version, up to another."""

    version: int
    updated_at: datetime | None
    certified: bool
    changes: tuple[Change, ...]


def _current(row: Any) -> Current:
    return Current(
        version_id=row.version_id,
        channel=row.channel,
        actor=row.v_actor,
        reason=row.v_reason,
        attendees=row.attendees,
        first=row.first,
        final=row.final,
        delegates=row.delegates,
        sde_text=row.sde,
        worksheet=row.worksheet or {},
        tosses=tuple(row.tosses or ()),
    )


def load_changes(session: Session, after: int, as_of: datetime | None = None) -> Delta:
    """The decisions that changed results after results version ``after`` (``as_of``: only
    those made by then, for a past moment; certification is ignored then, as rules.md §9's
    record of the night is what it was)."""
    if as_of is None:
        state = session.get(ResultsState, 1)
        version, updated = (0, None) if state is None else (state.version, state.updated_at)
        certified = session.scalar(select(ElectionRow.certified_at)) is not None
    else:
        version, updated, certified = -1, as_of, False
    q = (
        select(
            Decision.results_version,
            Decision.precinct_id,
            Decision.status,
            Decision.at,
            Decision.actor,
            Decision.reason,
            Decision.version_id,
            ReportVersion.channel,
            ReportVersion.actor.label("v_actor"),
            ReportVersion.reason.label("v_reason"),
            ReportVersion.attendees,
            ReportVersion.first,
            ReportVersion.final,
            ReportVersion.delegates,
            ReportVersion.sde,
            ReportVersion.tosses,
            ReportVersion.worksheet,
        )
        .join(ReportVersion, ReportVersion.id == Decision.version_id)
        .where(Decision.status.in_(("accepted", "superseded")), Decision.results_version > after)
    )
    if as_of is None:
        q = q.where(Decision.results_version <= version)
    else:
        q = q.where(Decision.at <= as_of)
    changes = tuple(
        Change(r.results_version, r.precinct_id, r.status, r.at, r.actor, r.reason, _current(r))
        for r in session.execute(q.order_by(Decision.id)).all()
    )
    return Delta(version, updated, certified, changes)


@dataclass(slots=True)
class CountyTotals:
    """One county's sums over its reported precincts (what a scope document shows)."""

    first: dict[str, int]
    final: dict[str, int]
    delegates: dict[str, int]
    sde: dict[str, Fraction]
    #: the per-candidate sums national delegates are allocated from (rules.md §11 Q5: the
    #: rounded precinct values when the ruleset says so, else ``sde``)
    national_basis: dict[str, Fraction]
    total: int
    reporting: int
    outstanding: Fraction
    has_recount: bool
    corrected: bool
    #: precinct pk -> its exact SDEs (satellite sites: their share of the pool, §7.3)
    precinct_sde: dict[int, dict[str, Fraction]]


@dataclass
class Tally:
    """The state of the night as the public sees it (one per :class:`PublicFeed` builder)."""

    ctx: Context
    version: int = 0
    updated_at: datetime | None = None
    certified: bool = False
    current: dict[int, Current] = field(default_factory=dict)
    accepted: dict[int, int] = field(default_factory=dict)
    history: dict[int, list[tuple[int, str, datetime, str]]] = field(default_factory=dict)
    #: precinct pk -> (results version, time) of its last change
    changed_at: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    #: public change log entries: (time, precinct pk, kind, reason, old sde, new sde)
    corrections: list[tuple[datetime, int, str, str, Mapping[str, str], Mapping[str, str]]] = field(
        default_factory=list
    )
    counties: dict[str, CountyTotals] = field(default_factory=dict)
    county_changed_at: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)
    #: (results version, time) of the last change to the list of games of chance / change log
    tosses_at: tuple[int, datetime | None] = (0, None)
    changes_at: tuple[int, datetime | None] = (0, None)

    def __post_init__(self) -> None:
        self.refs_by_county: dict[str, list[PrecinctRef]] = {}
        for p in self.ctx.precincts:
            self.refs_by_county.setdefault(p.county, []).append(p)
        for c in self.ctx.election.counties:
            self.counties[c.name] = self._county(c.name)
            self.county_changed_at[c.name] = (0, None)

    @property
    def election(self) -> Election:
        return self.ctx.election

    def apply(self, delta: Delta) -> tuple[set[int], set[str]]:
        """Apply ``delta``; returns the precincts and the counties whose documents changed."""
        precincts: set[int] = set()
        for ch in delta.changes:
            pk = ch.precinct_pk
            self.history.setdefault(pk, []).append(
                (ch.version.version_id, ch.status, ch.at, ch.version.channel)
            )
            precincts.add(pk)
            if ch.status != "accepted":
                continue
            prev = self.current.get(pk)
            new = ch.version
            if new.ties or (prev is not None and prev.ties):
                self.tosses_at = (ch.results_version, ch.at)
            if prev is not None:
                self.changes_at = (ch.results_version, ch.at)
                kind = (
                    new.channel
                    if new.channel in ("recanvass", "recount")
                    else ("desk-accept" if ch.actor != new.actor else "correction")
                )
                self.corrections.append(
                    (ch.at, pk, kind, ch.reason or new.reason, prev.sde_text, new.sde_text)
                )
            self.current[pk] = new
            self.accepted[pk] = self.accepted.get(pk, 0) + 1
            self.changed_at[pk] = (ch.results_version, ch.at)
        stamp: dict[str, tuple[int, datetime | None]] = {}
        for ch in delta.changes:
            stamp[self.ctx.by_pk[ch.precinct_pk].county] = (ch.results_version, ch.at)
        if delta.certified != self.certified:
            stamp = dict.fromkeys(
                (c.name for c in self.election.counties), (delta.version, delta.updated_at)
            )
        self.certified = delta.certified
        if delta.version >= 0:
            self.version = delta.version
        self.updated_at = delta.updated_at
        for name, at in stamp.items():
            self.counties[name] = self._county(name)
            self.county_changed_at[name] = at
        return precincts, set(stamp)

    def _county(self, name: str) -> CountyTotals:
        """Recompute one county's totals from its precincts' stored values (§7.1, §7.3)."""
        election = self.election
        names = [c.name for c in election.candidates]
        first = dict.fromkeys(names, 0)
        final = dict.fromkeys(names, 0)
        dels = dict.fromkeys(names, 0)
        refs = self.refs_by_county.get(name, [])
        precinct_sde = _precinct_sdes(election, refs, self.current)
        sde: dict[str, Fraction] = dict.fromkeys(names, ZERO)
        basis: dict[str, Fraction] = {}
        rounded = election.rules.sum_rounded_precinct_sdes
        places = election.rules.sde_places_precinct
        total = reporting = 0
        outstanding = ZERO
        has_recount = corrected = False
        for p in refs:
            counted = is_counted_unit(p.satellite, p.delegates)
            total += counted
            v = self.current.get(p.pk)
            if v is None:
                if not p.satellite:
                    value = election.precinct_sde_value(
                        election.precinct_by_key[(p.county, p.name)]
                    )
                    outstanding += value or ZERO
                continue
            reporting += counted
            has_recount = has_recount or v.channel == "recount"
            corrected = corrected or self.accepted.get(p.pk, 0) > 1
            _add_ints(first, v.first)
            _add_ints(final, v.final)
            _add_ints(dels, v.delegates)
            for c, x in precinct_sde.get(p.pk, {}).items():
                sde[c] = sde.get(c, ZERO) + x
                part = Fraction(scaled(x, places), 10**places) if rounded else x
                basis[c] = basis.get(c, ZERO) + part
        return CountyTotals(
            first,
            final,
            dels,
            {c: x for c, x in sde.items() if x},
            {c: x for c, x in basis.items() if x},
            total,
            reporting,
            outstanding,
            has_recount,
            corrected,
            precinct_sde,
        )


def _add_ints(into: dict[str, int], part: Mapping[str, int]) -> None:
    for c, n in part.items():
        into[c] = into.get(c, 0) + n


def _precinct_sdes(
    election: Election, refs: Iterable[PrecinctRef], current: Mapping[int, Current]
) -> dict[int, dict[str, Fraction]]:
    """Exact SDEs of every reported unit of one county: the stored ``p/q`` values of ordinary
    precincts; for satellite sites the pool divided by reported turnout (§7.3, the "turnout"
    reading of the tabulation)."""
    out: dict[int, dict[str, Fraction]] = {}
    sites: dict[int, int] = {}
    pool: Fraction | None = None
    for p in refs:
        v = current.get(p.pk)
        if v is None:
            continue
        if p.satellite:
            sites[p.pk] = v.attendees
            pool = election.county_by_name[p.county].state_delegates or ZERO
            continue
        out[p.pk] = {c: Fraction(x) for c, x in v.sde_text.items() if x not in ("0", "")}
    if sites and pool is not None:
        for pk, value in site_values(pool, sites).items():
            v = current[pk]
            d = satellite_delegates(v.attendees)
            out[pk] = candidate_sdes(v.delegates, value, d) if d else {}
    return out
