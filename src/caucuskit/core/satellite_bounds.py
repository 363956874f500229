"""A satellite pool's SDEs as a fixed baseline plus open masses (rules.md §7.3).

Inputs: the pool S (state delegates of a satellite "county"), its reported sites (turnout,
delegates, delegates won, any pending toss) and its outstanding sites with their declared
maximum turnout (None: undeclared).
Outputs: :class:`PoolTerms`: current SDEs, the baseline no completion can take away, the
open masses and pending tosses, in the shape of :class:`caucuskit.core.race_input.ScopeState`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.model import PendingTie
from caucuskit.core.race_input import ZERO, Pending


@dataclass(frozen=True)
class SiteReport:
    """A reported satellite site: turnout t, its D, delegates won, and any pending toss."""

    key: str
    turnout: int
    delegates: int
    won: Mapping[str, int]
    pending: PendingTie | None = None


@dataclass(frozen=True)
class PoolTerms:
    current: dict[str, Fraction]
    baseline: dict[str, Fraction]
    items: tuple[tuple[str, Fraction], ...]
    pending: tuple[Pending, ...]
    limit: bool


def satellite_terms(
    pool: Fraction,
    reported: Sequence[SiteReport],
    outstanding: Sequence[tuple[str, int | None]],
) -> PoolTerms:
    """A satellite pool as baseline + open masses (rules.md §7.3, turnout reading).

    With reported turnouts t_r, delegate fractions f_rk = won_rk / D_r, A_k = sum t_r f_rk,
    B = sum t_r and outstanding sites of declared maximum turnout M_o (T = sum M_o), the pool
    gives candidate k ``S (A_k + X_k) / (B + Y)`` where Y <= T is the outstanding turnout and
    X_k the part of it won by k. Since that equals ``S A_k / (B + T)`` plus a non-negative
    share of ``S T / (B + T)`` (the difference is S (A_k (T - Y) + X_k (B + T)) / ((B+Y)(B+T))),
    every outcome lies in "baseline S A_k / (B + T) + the masses S M_o / (B + T) assigned";
    each site at M_o won entirely by one group realises every vertex. An outstanding site
    without a declared maximum (None) opens the whole pool: baseline 0, one mass S (a limit).
    """
    a: dict[str, Fraction] = {}
    b = 0
    pend_raw: list[tuple[str, PendingTie, int, int]] = []
    for site in reported:
        if site.turnout <= 0 or site.delegates <= 0:
            continue
        b += site.turnout
        for c, n in site.won.items():
            if n:
                a[c] = a.get(c, ZERO) + Fraction(site.turnout * n, site.delegates)
        if site.pending is not None:
            pend_raw.append((site.key, site.pending, site.turnout, site.delegates))
    current = {c: pool * v / b for c, v in a.items()} if b else {}
    if any(m is None for _, m in outstanding):
        label = "; ".join(k for k, _ in outstanding)
        return PoolTerms(current, {}, ((label, pool),) if pool else (), (), True)
    t = sum(m for _, m in outstanding if m is not None)
    denom = b + t
    if denom == 0:
        return PoolTerms(current, {}, (), (), False)
    baseline = {c: pool * v / denom for c, v in a.items()}
    items = tuple((k, pool * m / denom) for k, m in outstanding if m)
    pending = tuple(
        Pending(k, tie.groups, tie.winners_needed, pool * turnout / (d * denom))
        for k, tie, turnout, d in pend_raw
    )
    return PoolTerms(current, baseline, items, pending, False)
