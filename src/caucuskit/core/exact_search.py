"""Exhaustive search for a completion that changes a national split (rules.md §7.1, §5.4, §8.2).

When the bounds of :mod:`caucuskit.core.national_bounds` can prove neither outcome, the call
searches every admissible completion of the outstanding units, exactly (integers on a common
denominator). Distinct outcomes are merged as the search goes (two completions that give the
same SDEs per scope are one), so the work grows with the number of distinct SDE vectors, not
with the number of completions; past ``cap`` distinct vectors it gives up
(:class:`SearchTooLarge`) and the caller may use another exact method.

Inputs: a :class:`~caucuskit.core.race_input.RaceInput`, the scopes to search, how scopes
are grouped into "bins" (one bin for a national unit; one per scope for the national total)
and a test ``changed(votes per bin)``.
Outputs: a :class:`~caucuskit.core.race_input.Scenario` that changes it, or None: no
admissible completion does (a proof by exhaustion), and whether the search was complete
(``exact``: False when an outstanding satellite site is searched at its maximum turnout only).

Admissible completion (rules.md §7.1, §5.2): each outstanding precinct gives its D delegates
to any groups in any split, or gives none (nobody came); each pending toss gives one delegate
each to ``winners`` of its groups (§5.4). An outstanding satellite site is won whole at its
declared maximum turnout (a vertex of §7.3's pool relaxation). Where extra delegates are
possible (Nevada, §5.7 step 5.2) a precinct may also give one each to more than D groups;
a unit whose D is unknown but declared at most M gives any number up to M
(:func:`item_splits`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from caucuskit.core.race_input import ZERO, RaceInput, Scenario, Scope, ScopeState, Split

#: Most distinct SDE vectors kept before the exhaustive search gives up.
DEFAULT_CAP = 60_000


class SearchTooLarge(Exception):
    """The outstanding set has more distinct outcomes than the exhaustive search keeps."""


def compositions(seats: int, cands: Sequence[str]) -> Iterator[Split]:
    """Every split of ``seats`` delegates among ``cands`` (zero entries left out)."""
    if not cands:
        return
    if len(cands) == 1:
        yield ((cands[0], seats),) if seats else ()
        return
    first, rest = cands[0], cands[1:]
    for k in range(seats, -1, -1):
        for tail in compositions(seats - k, rest):
            yield (((first, k), *tail)) if k else tail


@dataclass(frozen=True)
class _Choice:
    """One option of one outstanding unit: a precinct's split or a toss's winners."""

    scope: Scope
    index: int  # item index, or -1 for a toss
    split: Split
    toss_key: str
    delta: tuple[tuple[int, int], ...]  # (position in the flat vector, integer SDEs)


@dataclass(frozen=True, slots=True)
class _Node:
    choice: _Choice
    prev: _Node | None


@dataclass(frozen=True)
class SearchResult:
    witness: Scenario | None
    outcomes: int
    exact: bool


def search(
    race: RaceInput,
    scopes: frozenset[Scope] | None,
    bin_of: Callable[[Scope], int],
    bins: int,
    changed: Callable[[list[dict[str, Fraction]]], bool],
    *,
    cap: int = DEFAULT_CAP,
) -> SearchResult:
    """Search every admissible completion of ``scopes`` (None: all) for one that ``changed``.

    ``changed`` gets, per bin, the final SDEs per candidate (zeros left out)."""
    cands = race.candidates
    nc = len(cands)
    chosen = [s for s in race.scopes if scopes is None or s.district in scopes]
    den = _common_denominator(chosen)
    start = _start_vector(chosen, bin_of, bins, cands, den)
    exact = all(not s.sites_open and not s.limit for s in chosen)
    steps = _steps(chosen, bin_of, cands, den)
    _check_width(steps, cap)
    states = _merge(start, steps, cap)
    for vec, path in states.items():
        votes = [
            {c: Fraction(vec[b * nc + i], den) for i, c in enumerate(cands) if vec[b * nc + i]}
            for b in range(bins)
        ]
        if changed(votes):
            return SearchResult(_scenario(path), len(states), exact)
    return SearchResult(None, len(states), exact)


def _start_vector(
    chosen: Sequence[ScopeState],
    bin_of: Callable[[Scope], int],
    bins: int,
    cands: Sequence[str],
    den: int,
) -> list[int]:
    """The baselines as one flat integer vector (bin by bin, candidate by candidate)."""
    nc = len(cands)
    start = [0] * (bins * nc)
    for s in chosen:
        off = bin_of(s.district) * nc
        for i, c in enumerate(cands):
            base = s.baseline.get(c, ZERO)
            if base:
                start[off + i] += int(base * den)
    return start


def _steps(
    chosen: Sequence[ScopeState], bin_of: Callable[[Scope], int], cands: Sequence[str], den: int
) -> list[list[_Choice]]:
    """Per outstanding unit and pending toss, in order: every option it has."""
    nc = len(cands)
    steps: list[list[_Choice]] = []
    for s in chosen:
        off = bin_of(s.district) * nc
        for idx, (_, mass) in enumerate(s.items):
            steps.append(_item_choices(s, idx, mass, den, off, cands))
        for p in s.pending:
            unit = int(p.value * den)
            steps.append(
                [
                    _Choice(
                        s.district,
                        -1,
                        tuple((g, 1) for g in picked),
                        p.key,
                        tuple((off + cands.index(g), unit) for g in picked),
                    )
                    for picked in combinations(p.groups, p.winners)
                ]
            )
    return steps


def _check_width(steps: Sequence[Sequence[_Choice]], cap: int) -> None:
    """Give up at once when even heavy merging could not bring the product under ``cap``."""
    width = 1
    for options in steps:
        width *= len(options)
        if width > 1000 * cap:
            raise SearchTooLarge(
                f"{len(steps)} outstanding units and tosses: far more than "
                f"{cap:,} distinct outcomes"
            )


def _merge(
    start: list[int], steps: Sequence[Sequence[_Choice]], cap: int
) -> dict[tuple[int, ...], _Node | None]:
    """Every distinct final vector, each with the choices of one completion that reaches it
    (a linked list, newest first)."""
    states: dict[tuple[int, ...], _Node | None] = {tuple(start): None}
    for options in steps:
        nxt: dict[tuple[int, ...], _Node | None] = {}
        for vec, path in states.items():
            for ch in options:
                if ch.delta:
                    flat = list(vec)
                    for pos, amount in ch.delta:
                        flat[pos] += amount
                    key = tuple(flat)
                else:
                    key = vec
                if key not in nxt:
                    nxt[key] = _Node(ch, path)
                    if len(nxt) > cap:
                        raise SearchTooLarge(f"more than {cap:,} distinct outcomes")
        states = nxt
    return states


def _common_denominator(chosen: Sequence[ScopeState]) -> int:
    dens = [1]
    for s in chosen:
        dens.extend(v.denominator for v in s.baseline.values())
        for idx, (_, mass) in enumerate(s.items):
            dens.append((mass / s.seats_of(idx)).denominator)
        dens.extend(p.value.denominator for p in s.pending)
    return math.lcm(*dens)


def _item_choices(
    s: ScopeState, idx: int, mass: Fraction, den: int, off: int, cands: Sequence[str]
) -> list[_Choice]:
    seats = s.seats_of(idx)
    unit = int(mass / seats * den)
    return [
        _Choice(s.district, idx, sp, "", tuple((off + cands.index(c), unit * k) for c, k in sp))
        for sp in item_splits(s, idx, cands)
    ]


def item_splits(s: ScopeState, idx: int, cands: Sequence[str]) -> list[Split]:
    """Every admissible award of item ``idx`` (rules.md §7.1, §7.3, §5.7 step 5.2): a
    satellite site whole to one group; a precinct's D in any split, or nothing; with
    ``upto`` any number up to D in any split; and where extra delegates are possible, one
    each to k groups, D < k <= its most."""
    seats = s.seats_of(idx)
    if idx < len(s.item_seats) and s.item_seats[idx] == 0:  # a satellite site: whole
        return [((c, 1),) for c in cands]
    if s.upto(idx):
        splits = [sp for t in range(seats, -1, -1) for sp in compositions(t, cands)]
    else:
        splits = [*list(compositions(seats, cands)), ()]
    for k in range(seats + 1, min(s.most_of(idx), len(cands)) + 1):
        splits.extend(tuple((c, 1) for c in group) for group in combinations(cands, k))
    return splits


def _scenario(node: _Node | None) -> Scenario:
    splits: dict[Scope, list[tuple[int, Split]]] = {}
    picks: dict[str, tuple[str, ...]] = {}
    while node is not None:
        ch = node.choice
        if ch.index < 0:
            picks[ch.toss_key] = tuple(c for c, _ in ch.split)
        else:
            splits.setdefault(ch.scope, []).append((ch.index, ch.split))
        node = node.prev
    return Scenario(
        "a completion found by exhaustive search",
        {},
        "",
        {d: tuple(sorted(v)) for d, v in splits.items()},
        picks,
    )
