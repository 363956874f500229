r"""The shapes of the public documents (docs/api.md "Public"), as ``TypedDict``\s.

Rule: rules.md §7-§9 (what the documents show). tests/service/test_public_snapshot.py validates
the documents of a tiny election against these types (pydantic, strict) and pins their bytes.
``typing_extensions.TypedDict`` so that pydantic can read them on Python 3.11.
"""

from __future__ import annotations

from typing import Any, NotRequired

from typing_extensions import TypedDict


class Meta(TypedDict):
    version: int
    last_update: str | None
    generated_at: str | None


class PrecinctCount(TypedDict):
    total: int
    reporting: int
    percent_display: str


class SdeSummary(TypedDict):
    total: str
    total_display: str
    outstanding: str
    outstanding_display: str


class CandidateRow(TypedDict):
    name: str
    first: int
    final: int
    sde: str
    sde_display: str
    sde_percent_display: str
    delegates: int
    national: NotRequired[int]


class Child(TypedDict):
    id: str
    name: str
    kind: str
    status: str
    reporting: int
    total: int
    leader: str | None
    tied: NotRequired[list[str]]
    sde_display: dict[str, str]


class ScopeDocument(TypedDict):
    """``state.json``, ``districts/{n}.json``, ``counties/{id}.json``."""

    scope: str
    id: str
    name: str
    district: int | None
    version: int
    last_update: str | None
    generated_at: str | None
    status: str
    precincts: PrecinctCount
    sde: SdeSummary
    candidates: list[CandidateRow]
    children: list[Child]
    satellite: NotRequired[bool]
    national: NotRequired[dict[str, Any]]
    race: NotRequired[dict[str, object]]
    #: the results version the race panel was computed for (see snapshot.Builder)
    race_version: NotRequired[int]
    #: the headline unit (services/public_units.py): {"code", "short", "long"}
    unit: NotRequired[dict[str, str]]


class PrecinctCandidate(TypedDict):
    name: str
    #: head counts in the room (Nevada: in person only; the early votes are apart, below)
    first: int
    final: int
    delegates: int
    sde: str
    sde_display: str
    #: Nevada: the valid early ballots counted for this group in the first and the final
    #: alignment (rules.md §4 NV column, docs/adr/0011); the allocation ran on first +
    #: early_first and final + early_final
    early_first: NotRequired[int]
    early_final: NotRequired[int]


class PrecinctEarly(TypedDict):
    """A Nevada precinct's early ballots as its allocation counted them (docs/adr/0011): N is
    ``attendees`` = ``in_person_attendees`` + ``valid``."""

    ballots: int
    valid: int
    void: int
    exhausted: int
    checksum: str
    in_person_attendees: int
    attendees: int


class HistoryEntry(TypedDict):
    version_id: int
    status: str
    at: str | None
    channel: str


class PrecinctToss(TypedDict):
    """One game of chance of a precinct (rules.md §5.4): a coin toss names its winners; a card
    draw (Nevada) also keeps each tied group's card, from which the winners follow."""

    groups: list[str]
    winners: list[str]
    method: str
    witnesses: list[str]
    cards: dict[str, str] | None


class PrecinctDocument(TypedDict):
    """``precincts/{id}.json``."""

    scope: str
    id: str
    county: str
    county_id: str
    name: str
    satellite: bool
    delegates: int | None
    delegates_to_elect: int | None
    status: str
    reported: bool
    version: int
    last_update: str | None
    sde_value: str | None
    sde_value_display: str | None
    candidates: list[PrecinctCandidate]
    worksheet: dict[str, Any] | None
    tosses: list[PrecinctToss]
    history: list[HistoryEntry]
    unit: NotRequired[dict[str, str]]
    #: Nevada, once reported: the early ballots counted in (per group: the candidates' rows)
    early: NotRequired[PrecinctEarly]
