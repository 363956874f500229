"""A precinct report as it arrives: raw counts for one reporting unit of an election.

Rule: rules.md §9 (keep the raw inputs, derive delegates and SDEs), §6 (N defaults to the
first-alignment total where attendees were not published).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class PrecinctReport:
    """Raw inputs for one reporting unit, keyed by (county, precinct name).

    ``published_sde`` carries what a party published (for the audit); it is never used as truth.
    """

    county: str
    precinct: str
    attendees: int | None
    first: Mapping[str, int]
    final: Mapping[str, int]
    toss_winners: tuple[str, ...] = ()
    published_sde: Mapping[str, Fraction] | None = None
    source_line: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.county, self.precinct)

    @property
    def effective_attendees(self) -> int:
        """N: the opening head count; when it was not published, the first-alignment total (§6).

        A record whose first alignment is missing altogether (all zeros, as in Polk
        "DES MOINES-80" of the 2020 file) falls back to the final-alignment total: the only
        head count it has, and a lower bound of the people in the room.
        """
        if self.attendees is not None:
            return self.attendees
        first = sum(self.first.values())
        return first if first > 0 else sum(self.final.values())
