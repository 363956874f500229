"""Projection: a seeded, vectorised Monte Carlo of the outstanding precincts.

Rule: rules.md §7.1 (an outstanding precinct's value is fixed; only its split is unknown),
§7.3 (satellite pools by turnout), §8.2 (D-Math, here in floating point: a projection is an
estimate, never a result; the exact call is :mod:`caucuskit.services.call`).

Model (stated so its limits are plain): each outstanding precinct takes the delegate shares of
a reported precinct of the same county (fallback: the same district, then the state), drawn
by a two-stage bootstrap: first the county's reported precincts are resampled (uncertainty in
the county's mean), then each outstanding precinct draws one of them (precinct-to-precinct
variation). Outstanding satellite sites draw a reported site of their pool (or any site) for
both turnout and shares. Pending games of chance take one of their outcomes at random.
What it does not model: a swing between early and late reporters beyond what the county's
reported precincts show, and correlated statewide error.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from caucuskit.core.national import NATIONAL_THRESHOLD
from caucuskit.services.tabulate import Tabulation, UnitResult

F = NDArray[np.float64]


@dataclass
class Projection:
    simulations: int
    seed: int
    seconds: float
    candidates: list[str]
    lead: dict[str, float]
    sde_mean: dict[str, float]
    sde_interval: dict[str, tuple[float, float]]
    #: unit -> candidate -> {seats: probability}
    seats: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    #: unit -> probability that the split ends as it stands now
    split_holds: dict[str, float] = field(default_factory=dict)
    total_mean: dict[str, float] = field(default_factory=dict)
    total_interval: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        def r(x: float) -> float:
            return round(x, 4)

        return {
            "simulations": self.simulations,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "lead": {c: r(p) for c, p in sorted(self.lead.items(), key=lambda kv: -kv[1]) if p},
            "sde_mean": {c: round(v, 3) for c, v in self.sde_mean.items() if v > 0.0005},
            "sde_90": {
                c: [round(a, 3), round(b, 3)]
                for c, (a, b) in self.sde_interval.items()
                if b > 0.0005
            },
            "seats": {
                u: {c: {str(k): r(p) for k, p in d.items()} for c, d in per.items()}
                for u, per in self.seats.items()
            },
            "split_holds": {u: r(p) for u, p in self.split_holds.items()},
            "national_mean": {c: round(v, 3) for c, v in self.total_mean.items() if v > 0},
            "national_90": {c: list(v) for c, v in self.total_interval.items() if v[1] > 0},
        }


def dmath(votes: F, seats: int) -> NDArray[np.int64]:
    """Vectorised D-Math (rules.md §8.2) over rows of ``votes`` (simulations x candidates).

    An estimate's fast path of the one D-Math, :func:`caucuskit.core.national.allocate_unit`:
    the same threshold (:data:`~caucuskit.core.national.NATIONAL_THRESHOLD`), the
    half-of-leader fallback, floors and largest remainders, all as products and integer
    divisions rather than shares, so that on whole-number votes (below 2**53) every
    comparison is exact and the split is the reference's (tests/core/test_dmath.py). One
    difference, labelled: an exact remainder tie for the last seats, which the reference
    leaves to a lot, goes here to the tied candidates in column order.
    """
    n, c = votes.shape
    total = votes.sum(axis=1, keepdims=True)
    ok = total[:, 0] > 0
    t_num, t_den = NATIONAL_THRESHOLD.numerator, NATIONAL_THRESHOLD.denominator
    qual = (votes * t_den >= total * t_num) & (votes > 0)
    none = ~qual.any(axis=1)
    if none.any():
        top = votes.max(axis=1, keepdims=True)
        qual[none] = (2 * votes[none] >= top[none]) & (votes[none] > 0)
    qvotes = np.where(qual, votes, 0.0)
    qsum = qvotes.sum(axis=1, keepdims=True)
    safe = np.where(qsum > 0, qsum, 1.0)
    scaled = qvotes * seats
    floor = np.floor_divide(scaled, safe)
    rem = np.where(qual, scaled - floor * safe, -1.0)
    left = seats - floor.sum(axis=1)
    order = np.argsort(-rem, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(c)[None, :].repeat(n, axis=0), axis=1)
    extra = (rank < left[:, None]) & qual
    seats_won: NDArray[np.int64] = (floor + extra).astype(np.int64)
    seats_won[~ok] = 0
    return seats_won


@dataclass
class _Inputs:
    """What the simulation draws from: per scope the reported SDEs, the donor precincts'
    delegate shares, the pending tosses, the outstanding precincts grouped by donor pool and
    the satellite pools (rules.md §7.1, §7.3, §5.4)."""

    cands: list[str]
    scope_index: dict[int, int]
    base: F
    all_donors: list[F]
    pend: list[tuple[int, F]]
    groups: dict[tuple[str, int], tuple[F, list[float]]]
    sat_pools: list[tuple[int, float, list[tuple[int, F]], int, list[tuple[int, F]]]]
    units: list[tuple[str, int, list[int]]]


@dataclass(frozen=True)
class _Scopes:
    """Candidates by column, and scopes by row: one per congressional district, the last for
    statewide only (counties without a district)."""

    cands: list[str]
    ci: dict[str, int]
    scope_index: dict[int, int]
    district_of: dict[str, int | None]

    @property
    def ns(self) -> int:
        return len(self.scope_index) + 1

    def of(self, county: str) -> int:
        d = self.district_of[county]
        return self.scope_index[d] if d is not None else self.ns - 1


@dataclass
class _Reported:
    """What the reported units give the simulation: their SDEs per scope, the donors' delegate
    shares (by county, by scope, all), the pending tosses and the satellite sites' shares."""

    base: F
    by_county: dict[str, list[F]] = field(default_factory=dict)
    by_scope: dict[int, list[F]] = field(default_factory=dict)
    all_donors: list[F] = field(default_factory=list)
    pend: list[tuple[int, F]] = field(default_factory=list)  # (scope, outcome deltas)
    sites: dict[str, list[tuple[int, F]]] = field(default_factory=dict)


def _toss_deltas(u: UnitResult, sc: _Scopes) -> F:
    """The SDE change of each outcome of a pending toss against the recount's split (§5.4)."""
    rc = u.recount
    assert rc is not None
    ratio = float(u.value / u.delegates)
    deltas = np.zeros((len(rc.outcomes), len(sc.cands)))
    for j, o in enumerate(rc.outcomes):
        for c, k in o.items():
            deltas[j, sc.ci[c]] += ratio * (k - rc.won.get(c, 0))
    return deltas


def _reported(tab: Tabulation, sc: _Scopes) -> _Reported:
    out = _Reported(np.zeros((sc.ns, len(sc.cands))))
    for u in tab.units:
        rc = u.recount
        if u.precinct.satellite:
            if u.delegates and rc is not None:
                out.sites.setdefault(u.precinct.county, []).append(
                    (u.report.effective_attendees, _shares(rc.won, u.delegates, sc.ci))
                )
            continue
        s = sc.of(u.precinct.county)
        for c, v in u.sde.items():
            out.base[s, sc.ci[c]] += float(v)
        if rc is None or not u.delegates:
            continue
        vec = _shares(rc.won, u.delegates, sc.ci)
        if rc.pending is None and vec.sum() > 0:
            out.by_county.setdefault(u.precinct.county, []).append(vec)
            out.by_scope.setdefault(s, []).append(vec)
            out.all_donors.append(vec)
        if rc.pending is not None and rc.outcomes:
            out.pend.append((s, _toss_deltas(u, sc)))
    return out


def _outstanding(
    tab: Tabulation, sc: _Scopes, rep: _Reported
) -> dict[tuple[str, int], tuple[F, list[float]]]:
    """Outstanding precincts by donor pool: the county's reported precincts, else the scope's,
    else the state's (at least three donors each), with each precinct's SDE value (§7.1)."""
    e = tab.election
    reported = {u.precinct.key for u in tab.units}
    groups: dict[tuple[str, int], tuple[F, list[float]]] = {}
    for p in e.precincts:
        if p.satellite or p.key in reported or not p.delegates:
            continue
        value = float(e.precinct_sde_value(p) or Fraction(0))
        if not value:
            continue
        s = sc.of(p.county)
        pool = rep.by_county.get(p.county, [])
        label = p.county
        if len(pool) < 3:
            pool, label = rep.by_scope.get(s, []), f"scope {s}"
        if len(pool) < 3:
            pool, label = rep.all_donors, "state"
        if not pool:
            continue
        key = (label, s)
        if key not in groups:
            groups[key] = (np.array(pool), [])
        groups[key][1].append(value)
    return groups


def _satellite_pools(
    tab: Tabulation, sc: _Scopes, rep: _Reported
) -> list[tuple[int, float, list[tuple[int, F]], int, list[tuple[int, F]]]]:
    """Per satellite pseudo-county (§7.3): scope, pool, its reported sites, how many wait,
    and the sites the waiting ones are drawn from (its own when three or more, else all)."""
    e = tab.election
    reported = {u.precinct.key for u in tab.units}
    all_sites = [x for v in rep.sites.values() for x in v]
    pools = []
    for county in e.counties:
        if not county.satellite:
            continue
        keys = [p.key for p in e.precincts if p.county == county.name]
        waiting = sum(1 for k in keys if k not in reported)
        mine = rep.sites.get(county.name, [])
        source = mine if len(mine) >= 3 else all_sites
        pools.append(
            (sc.of(county.name), float(county.state_delegates or 0), mine, waiting, source)
        )
    return pools


def _inputs(tab: Tabulation) -> _Inputs:
    e = tab.election
    cands = [c.name for c in e.candidates]
    districts = sorted(e.national.district)
    sc = _Scopes(
        cands,
        {c: i for i, c in enumerate(cands)},
        {d: i for i, d in enumerate(districts)},
        {c.name: c.district for c in e.counties},
    )
    rep = _reported(tab, sc)
    units = [(f"CD{d}", s, [sc.scope_index[d]]) for d, s in sorted(e.national.district.items())]
    units += [
        ("at-large", e.national.at_large, list(range(sc.ns))),
        ("PLEO", e.national.pleo, list(range(sc.ns))),
    ]
    return _Inputs(
        cands,
        sc.scope_index,
        rep.base,
        rep.all_donors,
        rep.pend,
        _outstanding(tab, sc, rep),
        _satellite_pools(tab, sc, rep),
        units,
    )


def _shares(won: Mapping[str, int], delegates: int, ci: Mapping[str, int]) -> F:
    vec = np.zeros(len(ci))
    for c, k in won.items():
        vec[ci[c]] = k / delegates
    return vec


def _simulate(inp: _Inputs, rng: np.random.Generator, n: int) -> F:
    """``n`` simulated completions: SDEs per (simulation, scope, candidate)."""
    nc = len(inp.cands)
    votes = np.repeat(inp.base[None, :, :], n, axis=0)
    for (_, s), (pool_arr, values) in inp.groups.items():
        m = len(pool_arr)
        k = len(values)
        first = rng.integers(0, m, size=(n, m))
        pick = np.take_along_axis(first, rng.integers(0, m, size=(n, k)), axis=1)
        shares = pool_arr[pick]  # (n, k, C)
        votes[:, s, :] += np.einsum("nkc,k->nc", shares, np.array(values))
    for s, deltas in inp.pend:
        votes[:, s, :] += deltas[rng.integers(0, len(deltas), size=n)]
    for s, pool_size, mine, waiting, source in inp.sat_pools:
        if not pool_size:
            continue
        if not source:  # no site has reported anywhere: equal turnouts, precinct donors
            donors = np.array(inp.all_donors)
            pick = rng.integers(0, len(donors), size=(n, max(waiting, 1)))
            votes[:, s, :] += pool_size * donors[pick].mean(axis=1)
            continue
        a = np.zeros((n, nc))
        b = np.zeros(n)
        for t, vec in mine:
            a += t * vec
            b += t
        if waiting:
            t_src = np.array([t for t, _ in source], dtype=float)
            v_src = np.array([v for _, v in source])
            pick = rng.integers(0, len(source), size=(n, waiting))
            a += np.einsum("nk,nkc->nc", t_src[pick], v_src[pick])
            b += t_src[pick].sum(axis=1)
        votes[:, s, :] += pool_size * np.divide(
            a, b[:, None], out=np.zeros_like(a), where=b[:, None] > 0
        )
    return votes


def project(
    tab: Tabulation, *, simulations: int = 100_000, seed: int = 2020, chunk: int = 10_000
) -> Projection:
    """Simulate ``simulations`` completions of the outstanding units of ``tab`` (an estimate).

    Inputs: a tabulation of the reports in hand. Outputs: a :class:`Projection` (chance of
    leading in SDEs, SDE intervals, national seat distributions per unit)."""
    start = time.perf_counter()
    inp = _inputs(tab)
    cands = inp.cands
    nc = len(cands)
    rng = np.random.default_rng(seed)
    lead_counts = np.zeros(nc)
    sde_all: list[F] = []
    seat_hist: dict[str, list[NDArray[np.int64]]] = {}
    done = 0
    while done < simulations:
        n = min(chunk, simulations - done)
        votes = _simulate(inp, rng, n)
        state = votes.sum(axis=1)
        lead_counts += np.bincount(state.argmax(axis=1), minlength=nc)
        sde_all.append(state)
        for name, seats, scopes in inp.units:
            seat_hist.setdefault(name, []).append(dmath(votes[:, scopes, :].sum(axis=1), seats))
        done += n
    sde = np.concatenate(sde_all)
    proj = Projection(
        simulations,
        seed,
        time.perf_counter() - start,
        cands,
        {c: float(lead_counts[i] / simulations) for i, c in enumerate(cands)},
        {c: float(sde[:, i].mean()) for i, c in enumerate(cands)},
        {
            c: (float(np.quantile(sde[:, i], 0.05)), float(np.quantile(sde[:, i], 0.95)))
            for i, c in enumerate(cands)
        },
    )
    _summarise(proj, tab, inp, seat_hist, simulations)
    proj.seconds = time.perf_counter() - start
    return proj


def _summarise(
    proj: Projection,
    tab: Tabulation,
    inp: _Inputs,
    seat_hist: dict[str, list[NDArray[np.int64]]],
    simulations: int,
) -> None:
    cands = inp.cands
    total = np.zeros((simulations, len(cands)), dtype=np.int64)
    for name, _, _ in inp.units:
        arr = np.concatenate(seat_hist[name])
        total += arr
        now = tab.national.units[name].delegates
        cur = np.array([now.get(c, 0) for c in cands])
        proj.split_holds[name] = float((arr == cur[None, :]).all(axis=1).mean())
        per: dict[str, dict[int, float]] = {}
        for i, c in enumerate(cands):
            counts = np.bincount(arr[:, i])
            dist = {k: float(v / simulations) for k, v in enumerate(counts) if v}
            if any(k for k in dist):
                per[c] = dist
        proj.seats[name] = per
    for i, c in enumerate(cands):
        proj.total_mean[c] = float(total[:, i].mean())
        proj.total_interval[c] = (
            int(np.quantile(total[:, i], 0.05)),
            int(np.quantile(total[:, i], 0.95)),
        )
