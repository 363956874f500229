"""The input shapes: one pydantic model per shape, shared by the API, the CLI batch and the files.

Rule: rules.md §9 (raw counts are the only input: a group's delegates are never typed in),
§3.2 (N, the attendees counted at the start), §4 (the first and final alignments).

A precinct report reaches caucuskit three ways: the service's JSON API (``web/api/models.py``),
the CLI's batch mode (``caucus precinct --jsonl``, one :class:`BatchLine` per line) and the
canonical report files (:mod:`caucuskit.formats.canonical`, one :class:`StoredReport` per unit).
All three read the head counts through :class:`PrecinctCounts` and its field types, and all three
turn pydantic's errors into the core's :class:`~caucuskit.core.errors.Problem` with
:func:`problems_from`, so a bad count is named and explained the same way wherever it came from
(``final.Warren: must be a whole number, got '9.5'``).

The rules themselves (totals above the attendees, who may realign, unknown groups) stay in
:mod:`caucuskit.core.checks`; these models check only the shape and the types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Annotated, Any, Literal, TypeVar

import pydantic
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
)

from caucuskit.core.checks import MAX_DELEGATES
from caucuskit.core.errors import Problem, ValidationError
from caucuskit.formats.exact import parse_fraction
from caucuskit.formats.limits import MAX_COUNT as MAX_COUNT
from caucuskit.formats.limits import MAX_GROUP_NAME as MAX_GROUP_NAME
from caucuskit.formats.limits import MAX_GROUPS as MAX_GROUPS


def no_nul(value: str) -> str:
    """Refuse the NUL character: PostgreSQL text cannot hold it, nor can most files."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


#: A head count: a whole number of people, never true/false, a text or a float.
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
#: Delegates a precinct elects (D, rules.md §2); an input of the batch, never of a report.
Delegates = Annotated[StrictInt, Field(ge=0, le=MAX_DELEGATES)]
#: The name of a preference group (a candidate, "Uncommitted").
GroupName = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_GROUP_NAME), AfterValidator(no_nul)
]
#: An alignment: group name -> head count, in the order given.
Alignment = Annotated[dict[GroupName, Count], Field(max_length=MAX_GROUPS)]
#: A county or precinct name: some text that is not only spaces.
Place = Annotated[
    StrictStr, Field(min_length=1, max_length=300, pattern=r"\S"), AfterValidator(no_nul)
]


def _exact(value: object) -> Fraction:
    problems: list[str] = []
    parsed = parse_fraction(value, "", problems)
    if parsed is None:
        raise ValueError(problems[0].split(": ", 1)[-1])
    return parsed


#: An exact number: a JSON integer, a decimal text ("18.103") or a ratio ("4/51"); never a float.
ExactNumber = Annotated[Fraction, PlainValidator(_exact)]


class Shape(BaseModel):
    """Every input shape refuses keys it does not know and is immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PrecinctCounts(Shape):
    """The head counts of one precinct caucus: N, the first and the final alignment.

    Each entry point narrows what it requires (the API and the batch need N and the final
    alignment; a stored report may lack N, as the 2020 record often does).
    """

    attendees: Count | None = None
    first: Alignment | None = None
    final: Alignment = {}


class BatchLine(PrecinctCounts):
    """One line of ``caucus precinct --jsonl``: a precinct's counts, D and optional rules.

    ``rules`` names a ruleset and ``options`` changes §11 options for this line only; the CLI
    checks both against the rulesets it knows.
    """

    id: JsonValue = None
    rules: StrictStr | None = None
    options: dict[str, JsonValue] | None = None
    delegates: Delegates
    attendees: Count
    final: Alignment
    toss_winners: list[StrictStr] | None = None


class StoredReport(PrecinctCounts):
    """One reporting unit of a canonical report file (docs/results-format.md)."""

    county: Place
    precinct: Place
    first: Alignment = {}
    toss_winners: list[StrictStr] = []
    published_sde: dict[str, ExactNumber] | None = None
    source_line: StrictInt | None = None
    extra: dict[str, StrictStr] = {}


# --------------------------------------------------------------------------- election definition
# The shapes of an election definition file (docs/election-format.md). Each entry is checked on
# its own by :mod:`caucuskit.formats.election_check`, so that one bad county does not hide the
# problems of the others, and the checks that need the whole election follow in the same pass.


def _trimmed(value: str) -> str:
    if value != value.strip():
        raise ValueError(f"leading or trailing spaces in {value!r}")
    return value


#: A name in a definition: some text, without spaces around it.
Label = Annotated[Place, AfterValidator(_trimmed)]
#: A whole number that is not negative.
Whole = Annotated[StrictInt, Field(ge=0)]


class DefinitionFile(Shape):
    """The envelope of a definition; its lists are checked entry by entry."""

    format: StrictStr
    id: Label
    title: Label
    ruleset: StrictStr
    display: dict[str, JsonValue] | None = None
    candidates: list[JsonValue]
    national: dict[str, JsonValue]
    counties: list[JsonValue]
    precincts: list[JsonValue]
    notes: list[StrictStr] = []
    #: What D elects: "sde" (Iowa) or "ccd" (Nevada's county convention delegates, §8.1).
    unit: Literal["sde", "ccd"] = "sde"


class DisplayEntry(Shape):
    """Decimal places of SDEs on display (rules.md §7.2); absent: the ruleset's."""

    sde_places_precinct: Whole | None = None
    sde_places_total: Whole | None = None


class CandidateEntry(Shape):
    name: Label
    withdrawn: StrictBool = False


class NationalEntry(Shape):
    """National delegates (rules.md §8.1): per district (``"1": 7``), at large and PLEO."""

    district: dict[str, Whole]
    at_large: Whole
    pleo: Whole


class CountyEntry(Shape):
    """A county: its district, its state delegates S_c (§7.1), whether it is a satellite pool."""

    name: Label
    district: StrictInt | None
    state_delegates: ExactNumber | None
    satellite: StrictBool = False
    #: The whole county this is a part of (Nevada: "Clark CD1" of "Clark"); None: a county.
    part_of: Label | None = None


class PrecinctEntry(Shape):
    """A reporting unit and its county delegates D (negatives are named by the election's own
    checks, with the unit)."""

    county: Label
    name: Label
    code: StrictStr = ""
    delegates: StrictInt | None
    satellite: StrictBool = False
    #: Nevada 2020 at-large (casino) site: D is set by the party from expected turnout.
    at_large: StrictBool = False


# --------------------------------------------------------------------------- messages


#: pydantic's error types in caucuskit's words ({input} is the value given, the rest pydantic's
#: context): the wording of :mod:`caucuskit.core.checks`, so every entry point reads the same.
_WORDS = {
    "int_type": "must be a whole number, got {input!r}",
    "int_parsing": "must be a whole number, got {input!r}",
    "int_from_float": "must be a whole number, got {input!r}",
    "greater_than_equal": "must be at least {ge}, got {input!r}",
    "less_than_equal": "is implausibly large ({input}; limit {le})",
    "missing": "is missing",
    "extra_forbidden": "unknown key",
    "string_type": "must be a non-empty text, got {input!r}",
    "string_pattern_mismatch": "must be a non-empty text, got {input!r}",
    "string_too_short": "must be at least {min_length} characters long, got {input!r}",
    "string_too_long": "is too long (at most {max_length} characters)",
    "dict_type": "must be an object, got {input!r}",
    "model_type": "must be an object, got {input!r}",
    "model_attributes_type": "must be an object, got {input!r}",
    "list_type": "must be a list, got {input!r}",
    "too_long": "has too many entries (at most {max_length})",
    "bool_type": "must be true or false, got {input!r}",
    "bool_parsing": "must be true or false, got {input!r}",
    "literal_error": "must be one of {expected}, got {input!r}",
    "value_error": "{error}",
}


class _Short:
    """A value shown in a message: its repr, cut short (a whole list is no help in an error)."""

    LIMIT = 60

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        return text if len(text) <= self.LIMIT else text[: self.LIMIT - 1] + "…"

    def __str__(self) -> str:
        text = str(self.value)
        return text if len(text) <= self.LIMIT else text[: self.LIMIT - 1] + "…"


def describe(error: Mapping[str, Any]) -> str:
    """One pydantic error in caucuskit's words (the wording of :mod:`caucuskit.core.checks`)."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = _Short(error.get("input"))
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return f"must not be negative, got {value!r}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        kind = "string_type"
    words = _WORDS.get(kind)
    if words is None:
        return str(error.get("msg", "is not valid"))
    return words.format(input=value, **ctx)


def field_name(loc: Sequence[int | str]) -> str:
    """A pydantic location as caucuskit names fields: ``final.Warren``, ``toss_winners[0]``
    (a bad key names its mapping: ``final``)."""
    parts: list[str] = []
    for part in loc:
        if part == "[key]":  # the key itself is bad: name the mapping that holds it
            parts.pop()
        elif isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts)


def problems_from(
    exc: pydantic.ValidationError, where: str = "", model: type[BaseModel] | None = None
) -> list[Problem]:
    """The problems of ``exc``, each field prefixed by ``where`` (``reports[3]``) when given;
    with ``model``, an unknown top-level key is answered with the keys the model knows."""
    problems = []
    for error in exc.errors():
        field = field_name(error["loc"])
        if model is not None and error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
            known = ", ".join(sorted(model.model_fields))
            problems.append(Problem(field, f"unknown key; known: {known}"))
            continue
        if where:
            field = f"{where}.{field}" if field else where
        problems.append(Problem(field or "input", describe(error)))
    return problems


M = TypeVar("M", bound=BaseModel)


def read_shape(model: type[M], data: object, where: str = "") -> M:
    """Validate ``data`` as ``model``; raises :class:`ValidationError` naming every bad field."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(problems_from(exc, where, model)) from None
