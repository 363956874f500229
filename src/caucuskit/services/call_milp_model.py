"""The mixed-integer model of one national unit's outstanding completions (HiGHS via SciPy).

Rule: rules.md §7.1 (each outstanding precinct's D delegates to any groups, or none), §7.3
(a satellite site whole, or in the pool relaxation split in any fractions), §5.4 (pending
tosses), §5.7 step 5.2 (Nevada: one delegate each to more than D groups).

Inputs: a race and the unit's scopes. Outputs: :class:`Model`: decision variables, the unit's
votes as linear expressions of them (``base`` + ``coef`` . z), the structural rows, bounds and
integrality, and :meth:`Model.scenario` (a solver point as a completion). The programs
themselves are in :mod:`caucuskit.services.call_milp`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from caucuskit.core.bounds import RaceInput, Scenario
from caucuskit.core.race_input import Scope, ScopeState

F64 = NDArray[np.float64]


def _denominator(chosen: list[ScopeState]) -> int:
    """A common denominator of every value the unit's votes are built from."""
    dens = [1]
    for s in chosen:
        dens.extend(v.denominator for v in s.baseline.values())
        dens.extend((s.items[i][1] / s.seats_of(i)).denominator for i in range(len(s.items)))
        dens.extend(p.value.denominator for p in s.pending)
    return math.lcm(*dens)


class Model:
    """Decision variables and the unit's votes as linear expressions of them."""

    def __init__(
        self, race: RaceInput, scopes: frozenset[Scope] | None, relax_sites: bool = False
    ) -> None:
        #: True: an outstanding satellite site's mass may be split in any fractions, or left
        #: partly unassigned: the pool relaxation of rules.md §7.3, which holds the outcome
        #: of every turnout up to the declared maximum (core/satellite_bounds.py)
        self.relax_sites = relax_sites
        self.cands = race.candidates
        chosen = [s for s in race.scopes if scopes is None or s.district in scopes]
        self.items: list[tuple[ScopeState, int]] = []
        self.tosses: list[tuple[ScopeState, int]] = []
        for s in chosen:
            self.items.extend((s, i) for i in range(len(s.items)))
            self.tosses.extend((s, j) for j in range(len(s.pending)))
        n_x = len(self.items) * len(self.cands)
        n_e = len(self.items)
        self.toss_cols: list[list[tuple[int, str]]] = []
        col = n_x + n_e
        for s, j in self.tosses:
            p = s.pending[j]
            self.toss_cols.append([(col + k, g) for k, g in enumerate(p.groups)])
            col += len(p.groups)
        #: per item that can award more than its D (rules.md §5.7 step 5.2): the columns of
        #: y (delegates beyond D) and f (1: the one-each-to-more-than-D-groups mode)
        self.extra_cols: dict[int, tuple[int, int]] = {}
        for t, (s, i) in enumerate(self.items):
            if s.most_of(i) > s.seats_of(i):
                self.extra_cols[t] = (col, col + 1)
                col += 2
        self.size = col
        self.denominator = _denominator(chosen)
        self.base = np.zeros(len(self.cands))
        for s in chosen:
            for k, c in enumerate(self.cands):
                self.base[k] += float(s.baseline.get(c, Fraction(0)))
        # votes[c] = base[c] + coef[c] . z
        self.coef = np.zeros((len(self.cands), self.size))
        self.upper = np.zeros(self.size)
        rows: list[F64] = []
        lo: list[float] = []
        hi: list[float] = []
        self._item_rows(n_x, rows, lo, hi)
        self._toss_rows(rows, lo, hi)
        self.integrality = np.ones(self.size)
        if relax_sites:
            self._relax(n_x)
        self.structure = (
            np.array(rows, dtype=np.float64).reshape(len(rows), self.size),
            np.array(lo, dtype=np.float64),
            np.array(hi, dtype=np.float64),
        )

    def _relax(self, n_x: int) -> None:
        """Satellite sites' columns continuous, with room to leave part unassigned."""
        for t in self.site_items():
            for k in range(len(self.cands)):
                self.integrality[t * len(self.cands) + k] = 0
            self.integrality[n_x + t] = 0
            self.upper[n_x + t] = 1

    def site_items(self) -> list[int]:
        """Positions of the outstanding satellite sites among the items."""
        return [
            t
            for t, (s, i) in enumerate(self.items)
            if i < len(s.item_seats) and s.item_seats[i] == 0
        ]

    def whole(self, sc: Scenario) -> bool:
        """Whether every site of the completion goes whole to one group (admissible)."""
        if not self.relax_sites:
            return True
        splits = {(d, i): sp for d, lst in sc.splits.items() for i, sp in lst}
        return all(
            [k for _, k in splits.get((self.items[t][0].district, self.items[t][1]), ())] == [1]
            for t in self.site_items()
        )

    def _item_rows(self, n_x: int, rows: list[F64], lo: list[float], hi: list[float]) -> None:
        """Per outstanding item: x_c delegates to each candidate, and e = 1 when nobody came:
        sum_c x_c + D e = D (rules.md §7.1); a satellite site is won whole (§7.3). An item
        whose D is unknown but at most D (``upto``) has e in 0..D delegates left unawarded;
        one that can award extra delegates gets y and f (:meth:`_extra_rows`)."""
        nc = len(self.cands)
        for t, (s, i) in enumerate(self.items):
            seats = s.seats_of(i)
            per = float(s.items[i][1]) / seats
            row = np.zeros(self.size)
            for k in range(nc):
                self.coef[k, t * nc + k] = per
                self.upper[t * nc + k] = seats
                row[t * nc + k] = 1.0
            site = i < len(s.item_seats) and s.item_seats[i] == 0
            if s.upto(i):
                self.upper[n_x + t] = seats
                row[n_x + t] = 1.0
            else:
                self.upper[n_x + t] = 0 if site else 1
                row[n_x + t] = seats
            if t in self.extra_cols:
                row[self.extra_cols[t][0]] = -1.0  # sum_c x_c + (D e | e) - y = D
                self._extra_rows(t, s.most_of(i) - seats, seats, n_x + t, s.upto(i), rows, lo, hi)
            rows.append(row)
            lo.append(seats)
            hi.append(seats)

    def _extra_rows(
        self,
        t: int,
        more: int,
        seats: int,
        e_col: int,
        upto: bool,
        rows: list[F64],
        lo: list[float],
        hi: list[float],
    ) -> None:
        """Extra delegates only one each to groups (rules.md §5.7 step 5.2): y <= more f,
        x_c <= D - (D - 1) f, and with f = 1 nobody is left out (e <= (1 - f) (D or 1))."""
        nc = len(self.cands)
        y_col, f_col = self.extra_cols[t]
        self.upper[y_col] = more
        self.upper[f_col] = 1
        inf = float("inf")

        def add(entries: list[tuple[int, float]], bound: float) -> None:
            row = np.zeros(self.size)
            for c, v in entries:
                row[c] = v
            rows.append(row)
            lo.append(-inf)
            hi.append(bound)

        add([(y_col, 1.0), (f_col, -float(more))], 0.0)
        for k in range(nc):
            add([(t * nc + k, 1.0), (f_col, float(seats - 1))], float(seats))
        cap = float(seats) if upto else 1.0
        add([(e_col, 1.0), (f_col, cap)], cap)

    def _toss_rows(self, rows: list[F64], lo: list[float], hi: list[float]) -> None:
        """Per pending toss: exactly ``winners`` of its groups win one delegate each (§5.4)."""
        for (s, j), cols in zip(self.tosses, self.toss_cols, strict=True):
            p = s.pending[j]
            row = np.zeros(self.size)
            for c_idx, g in cols:
                self.upper[c_idx] = 1
                row[c_idx] = 1.0
                if g in self.cands:
                    self.coef[self.cands.index(g), c_idx] += float(p.value)
            rows.append(row)
            lo.append(p.winners)
            hi.append(p.winners)

    def scenario(self, z: F64) -> Scenario:
        nc = len(self.cands)
        splits: dict[Scope, list[tuple[int, tuple[tuple[str, int], ...]]]] = {}
        for t, (s, i) in enumerate(self.items):
            split = tuple(
                (c, round(z[t * nc + k]))
                for k, c in enumerate(self.cands)
                if round(z[t * nc + k]) > 0
            )
            splits.setdefault(s.district, []).append((i, split))
        picks = {
            s.pending[j].key: tuple(g for c_idx, g in cols if round(z[c_idx]) == 1)
            for (s, j), cols in zip(self.tosses, self.toss_cols, strict=True)
        }
        return Scenario(
            "a completion found by a mixed-integer program",
            {},
            "",
            {d: tuple(v) for d, v in splits.items()},
            picks,
        )
