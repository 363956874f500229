"""Calling the race: what the outstanding precincts can still change, exactly.

Rule: rules.md §7.1 (an outstanding precinct is worth a fixed D x S_c / C_c SDEs, and one
viable group can take all D), §7.3 (satellite pools shared by turnout), §8.2 (D-Math: 15%
threshold, half-of-leader fallback, largest remainders), §5.4 (pending games of chance).

Inputs: a :class:`~caucuskit.core.race_input.RaceInput` (the night as scopes of baseline
SDEs, open masses and pending tosses; see that module for the model).
Outputs: :class:`RaceCall`: tight SDE ranges and the SDE lead
(:mod:`caucuskit.core.sde_bounds`), and the national delegate call per unit and in total
(:mod:`caucuskit.core.national_call`, with the proofs of :mod:`caucuskit.core.national_bounds`
and the exhaustive search of :mod:`caucuskit.core.exact_search`).

This module is the entry point and keeps the names other layers import.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.exact_search import DEFAULT_CAP
from caucuskit.core.national import UnitAllocation, allocate_unit, fast_allocate
from caucuskit.core.national_bounds import (
    contenders,
    mix_scenarios,
    prove_unit,
    scaled_vertex_votes,
    unit_sums,
    vertex_scenarios,
    vertex_votes,
)
from caucuskit.core.national_call import (
    Allocator,
    NationalCall,
    UnitCall,
    UnitSearch,
    national_call,
)
from caucuskit.core.race_input import (
    ZERO,
    Pending,
    RaceInput,
    Scenario,
    ScopeState,
    open_mass,
    pending_in,
    scenario_votes,
    unit_votes,
)
from caucuskit.core.satellite_bounds import PoolTerms, SiteReport, satellite_terms
from caucuskit.core.sde_bounds import LeadCall, PairCall, SdeRange, lead_call, sde_ranges

#: The integer D-Math (a fast path of :func:`caucuskit.core.national.allocate_unit`).
fast_split = fast_allocate

__all__ = [
    "Allocator",
    "LeadCall",
    "NationalCall",
    "PairCall",
    "Pending",
    "PoolTerms",
    "RaceCall",
    "RaceInput",
    "Scenario",
    "ScopeState",
    "SdeRange",
    "SiteReport",
    "UnitCall",
    "UnitSearch",
    "call_race",
    "contenders",
    "fast_split",
    "lead_call",
    "mix_scenarios",
    "national_call",
    "prove_unit",
    "satellite_terms",
    "scaled_vertex_votes",
    "scenario_votes",
    "sde_ranges",
    "unit_sums",
    "unit_votes",
    "vertex_scenarios",
    "vertex_votes",
    "worksheet_allocator",
]


def worksheet_allocator(votes: dict[str, Fraction], seats: int, unit: str) -> UnitAllocation:
    """The reference D-Math with its worksheet, as an :data:`Allocator`."""
    return allocate_unit(votes, seats, unit=unit)


@dataclass
class RaceCall:
    """Everything :func:`call_race` decides at one moment of the night."""

    sde: list[SdeRange]
    lead: LeadCall
    national: NationalCall
    #: The one "SDEs still to be decided" figure: outstanding units plus pending tosses.
    open_sde: Fraction
    open_limit: bool


def call_race(
    race: RaceInput,
    allocator: Allocator = fast_allocate,
    *,
    search: bool = True,
    unit_search: UnitSearch | None = None,
    cap: int = DEFAULT_CAP,
) -> RaceCall:
    """SDE ranges, the SDE lead and the national delegate call (rules.md §7, §8)."""
    free, limit = open_mass(race, None)
    pend = sum((p.mass for p in pending_in(race, None)), ZERO)
    return RaceCall(
        sde_ranges(race),
        lead_call(race),
        national_call(race, allocator, search=search, unit_search=unit_search, cap=cap),
        free + pend,
        limit,
    )
