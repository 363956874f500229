"""Request models: strict integers (no booleans, no strings, no floats), bounds in ``Field``.

Rule: rules.md §9 (raw inputs only: delegates are never accepted as input).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from caucuskit.formats.inputs import Alignment, Count, PrecinctCounts
from caucuskit.services.submit import ReportInput, Toss

Name = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Place = Annotated[StrictStr, Field(min_length=1, max_length=300)]
Code = Annotated[StrictStr, Field(min_length=1, max_length=50)]
Reason = Annotated[StrictStr, Field(min_length=1, max_length=500)]
Witness = Annotated[StrictStr, Field(max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TossIn(Strict):
    """One game of chance: who won it, and who witnessed it."""

    winner: Name
    witnesses: Annotated[list[Witness], Field(max_length=10)] = []


class PrecinctRefIn(Strict):
    county: Place | None = None
    precinct: Place | None = None
    precinct_id: Place | None = None


class ReportIn(PrecinctRefIn, PrecinctCounts):
    """Raw counts of one precinct caucus (docs/api.md, "The report body"); the counts are the
    shared shape of :mod:`caucuskit.formats.inputs`, as in the CLI batch and the files."""

    attendees: Count
    first: Alignment = {}
    final: Alignment
    tosses: Annotated[list[TossIn], Field(max_length=20)] = []

    def to_input(self) -> ReportInput:
        return ReportInput(
            attendees=self.attendees,
            first=dict(self.first),
            final=dict(self.final),
            tosses=tuple(Toss(t.winner, tuple(t.witnesses)) for t in self.tosses),
        )


class PreviewIn(ReportIn):
    code: Code | None = None


class ChairReportIn(ReportIn):
    code: Code


class OperatorReportIn(ChairReportIn):
    channel: Literal["hotline", "paper"]


class RecanvassIn(ReportIn):
    channel: Literal["recanvass", "recount"]
    reason: Reason


class SigninIn(PrecinctRefIn):
    code: Code


class DecisionIn(Strict):
    reason: Reason


class PhotoIn(Strict):
    """A photo of the signed worksheet, base64 (up to 2 MiB decoded)."""

    code: Code
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    data: Annotated[StrictStr, Field(min_length=4, max_length=2_900_000)]
