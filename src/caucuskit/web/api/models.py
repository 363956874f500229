"""Request models: strict integers (no booleans, no strings, no floats), bounds in ``Field``.

Rule: rules.md §9 (raw inputs only: delegates are never accepted as input).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from caucuskit.services.submit import ReportInput, Toss

MAX_COUNT = 100_000
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Place = Annotated[StrictStr, Field(min_length=1, max_length=300)]
Code = Annotated[StrictStr, Field(min_length=1, max_length=50)]
Reason = Annotated[StrictStr, Field(min_length=1, max_length=500)]
Witness = Annotated[StrictStr, Field(max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


CardText = Annotated[StrictStr, Field(min_length=2, max_length=20)]


class TossIn(Strict):
    """One game of chance and who witnessed it: the ``winner`` of a coin toss, or (card draw,
    Nevada) the ``cards`` each tied group drew, from which the winners are derived."""

    winner: Name | None = None
    cards: Annotated[dict[Name, CardText], Field(min_length=2, max_length=20)] | None = None
    witnesses: Annotated[list[Witness], Field(max_length=10)] = []

    @model_validator(mode="after")
    def _one_outcome(self) -> TossIn:
        if (self.winner is None) == (self.cards is None):
            raise ValueError("give either winner (coin toss) or cards (card draw)")
        return self

    def to_toss(self) -> Toss:
        return Toss(self.winner or "", tuple(self.witnesses),
                    tuple(sorted((self.cards or {}).items())))


class EarlyConfirmIn(Strict):
    """The early-ballot count and checksum the chair read back (Nevada)."""

    count: Count
    checksum: Annotated[StrictStr, Field(min_length=1, max_length=20)]


class PrecinctRefIn(Strict):
    county: Place | None = None
    precinct: Place | None = None
    precinct_id: Place | None = None


class ReportIn(PrecinctRefIn):
    """Raw counts of one precinct caucus (docs/api.md, "The report body")."""

    attendees: Count
    first: Annotated[dict[Name, Count], Field(max_length=40)] = {}
    final: Annotated[dict[Name, Count], Field(max_length=40)]
    tosses: Annotated[list[TossIn], Field(max_length=20)] = []
    early_confirmed: EarlyConfirmIn | None = None

    def to_input(self) -> ReportInput:
        return ReportInput(
            attendees=self.attendees,
            first=dict(self.first),
            final=dict(self.final),
            tosses=tuple(t.to_toss() for t in self.tosses),
            early_confirmed=None if self.early_confirmed is None
            else (self.early_confirmed.count, self.early_confirmed.checksum),
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
