"""The chair's worksheet as data: one typed record per decision of a precinct caucus.

Every record names its ``kind`` (what happened), the legacy ``action`` category, the ``group`` it
is about (if one) and the numbers behind it: raw share, rounded value, 4-decimal key, what was
added or removed, which tie and how it was settled. The words are rendered from these numbers in
one place, :mod:`caucuskit.core.wording` (and its JavaScript twin in ``web/static/caucus-math.js``);
nothing ever parses them back. Like VoteKit's election states, a log of these records replays
the computation step by step.

Rule: rules.md §5.7 step 6 (a log of every decision), §3 (threshold), §5.1-§5.6.

Inputs: produced by :mod:`caucuskit.core.allocation` and :mod:`caucuskit.core.precinct` when a
worksheet is asked for. Outputs: ``to_dict()`` (JSON for the CLI, API and pages, with the
rendered ``text`` kept for compatibility) and ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, ClassVar, Literal

from caucuskit.core import wording

TieAction = Literal["gain", "lose"]
#: What a tie was about: the closest to the next whole number (too few delegates), the furthest
#: from rounding up (too many), the smallest groups (more viable groups than delegates), the
#: largest group (one-delegate precinct).
TieBasis = Literal["closest", "furthest", "smallest", "largest"]
#: How a raw share compares with its rounded value.
Direction = Literal["up", "down", "exactly"]


@dataclass(frozen=True, slots=True)
class WorksheetStep:
    """Base of every worksheet record: ``kind`` says which, ``action`` is the old category."""

    kind: ClassVar[str] = ""
    action: ClassVar[str] = ""

    @property
    def group(self) -> str | None:
        """The preference group the step is about, or None for a precinct-wide step."""
        return None

    @property
    def text(self) -> str:
        """The step in the chair's words (rendered from the numbers, never stored)."""
        return wording.render(self)

    def data(self) -> dict[str, object]:
        """The typed fields as JSON-ready values (tuples become lists)."""
        names, get, tuples = _shape(type(self))
        if not names:
            return {}
        values = get(self)
        if len(names) == 1:
            values = (values,)
        out: dict[str, object] = dict(zip(names, values, strict=True))
        for name in tuples:
            out[name] = list(out[name])  # type: ignore[call-overload]
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON form: the legacy ``action``/``group``/``text`` keys plus ``kind`` and the data."""
        out: dict[str, object] = {
            "action": self.action,
            "group": self.group,
            "text": wording.render(self),
            "kind": self.kind,
        }
        out.update(self.data())
        return out


#: Per record class: its data field names (``name`` is the ``group`` key), a getter of their
#: values, and which of them are tuples (lists in JSON). Built once per class.
_SHAPES: dict[type, tuple[tuple[str, ...], attrgetter[Any], tuple[str, ...]]] = {}


def _shape(cls: type) -> tuple[tuple[str, ...], attrgetter[Any], tuple[str, ...]]:
    shape = _SHAPES.get(cls)
    if shape is None:
        names = tuple(f.name for f in fields(cls) if f.name != "name")
        tuples = tuple(f.name for f in fields(cls) if str(f.type).startswith("tuple"))
        shape = _SHAPES[cls] = (names, attrgetter(*names) if names else attrgetter("kind"), tuples)
    return shape


@dataclass(frozen=True, slots=True)
class GroupStep(WorksheetStep):
    """A step about one group (``name`` is that group)."""

    name: str

    @property
    def group(self) -> str | None:
        return self.name


@dataclass(frozen=True, slots=True)
class Threshold(WorksheetStep):
    """§3: the viability threshold, ``fraction`` x ``attendees`` = ``exact``, rounded up."""

    kind: ClassVar[str] = "threshold"
    action: ClassVar[str] = "threshold"
    fraction: str
    attendees: int
    exact: str
    threshold: int


@dataclass(frozen=True, slots=True)
class Viable(WorksheetStep):
    """§3.2/§4: the groups viable after the first or in the final alignment."""

    kind: ClassVar[str] = "viable"
    action: ClassVar[str] = "viable"
    alignment: Literal["first", "final"]
    groups: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        out = WorksheetStep.to_dict(self)
        if self.alignment == "first":
            out["action"] = "viable-first"
        return out


@dataclass(frozen=True, slots=True)
class StaysViable(GroupStep):
    """§11 Q3 option: a group viable in the first alignment stays viable."""

    kind: ClassVar[str] = "stays-viable"
    action: ClassVar[str] = "viable"


@dataclass(frozen=True, slots=True)
class OneDelegate(WorksheetStep):
    """§5.6: which rule elects the single delegate (``cast`` votes or ``attendees`` as needed)."""

    kind: ClassVar[str] = "one-delegate"
    action: ClassVar[str] = "rule"
    rule: str
    method: str
    cast: int | None = None
    attendees: int | None = None


@dataclass(frozen=True, slots=True)
class Round(GroupStep):
    """§5.1: ``members`` x ``delegates`` / ``attendees`` = ``raw`` (``decimal``), rounded half up;
    ``raised`` when the floor of one lifts it."""

    kind: ClassVar[str] = "round"
    action: ClassVar[str] = "round"
    members: int
    delegates: int
    attendees: int
    raw: str
    decimal: str
    direction: Direction
    rounded: int
    raised: bool


@dataclass(frozen=True, slots=True)
class Total(WorksheetStep):
    """§5.1: the rounded total against the delegates to elect."""

    kind: ClassVar[str] = "total"
    action: ClassVar[str] = "total"
    total: int
    delegates: int


@dataclass(frozen=True, slots=True)
class Add(GroupStep):
    """§5.2: one more delegate to the group closest to the next whole number."""

    kind: ClassVar[str] = "add"
    action: ClassVar[str] = "add"
    now: int
    decimal: str
    short: int


@dataclass(frozen=True, slots=True)
class Remove(GroupStep):
    """§5.3: one delegate fewer for the group furthest from rounding up."""

    kind: ClassVar[str] = "remove"
    action: ClassVar[str] = "remove"
    now: int
    decimal: str
    excess: int
    protected: bool


@dataclass(frozen=True, slots=True)
class Zero(GroupStep):
    """§5.7 step 5 (Iowa): the smallest group loses its only delegate (``realign``: Q8 option)."""

    kind: ClassVar[str] = "zero"
    action: ClassVar[str] = "zero"
    share: str
    realign: bool


@dataclass(frozen=True, slots=True)
class Tie(WorksheetStep):
    """§5.4: a tie still waiting for its game of chance."""

    kind: ClassVar[str] = "tie"
    action: ClassVar[str] = "tie"
    groups: tuple[str, ...]
    delegates: int
    change: TieAction
    basis: TieBasis
    value: str
    method: str


@dataclass(frozen=True, slots=True)
class Toss(GroupStep):
    """§5.4: how a recorded game of chance settled one group (``tie`` indexes ``ties``)."""

    kind: ClassVar[str] = "toss"
    action: ClassVar[str] = "toss"
    tie: int
    won: bool
    change: TieAction
    basis: TieBasis
    now: int
    method: str


@dataclass(frozen=True, slots=True)
class Extra(WorksheetStep):
    """§5.7 step 5 (Nevada Principle 2): more viable groups than delegates, all keep theirs."""

    kind: ClassVar[str] = "extra"
    action: ClassVar[str] = "extra"
    viable: int
    delegates: int
    awarded: int


@dataclass(frozen=True, slots=True)
class Award(GroupStep):
    """The delegates a group ends with (``single``: it won a one-delegate precinct with
    ``members`` people)."""

    kind: ClassVar[str] = "award"
    action: ClassVar[str] = "award"
    delegates: int
    single: bool = False
    members: int | None = None


#: Why a precinct stops short of a full allocation (see :func:`wording.note_text`).
NoteWhy = Literal[
    "no-delegates",
    "nobody",
    "no-majority",
    "no-strict-majority",
    "none-viable",
    "realign-wait",
    "all-realign",
]


@dataclass(frozen=True, slots=True)
class Note(WorksheetStep):
    """Something the chair must know: why no (or not every) delegate is allocated yet."""

    kind: ClassVar[str] = "note"
    action: ClassVar[str] = "note"
    why: NoteWhy
    groups: tuple[str, ...] = ()
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """A free-text worksheet line (kept for the national allocation, which logs prose)."""

    action: str
    text: str
    group: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"action": self.action, "group": self.group, "text": self.text}
