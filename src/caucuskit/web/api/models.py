"""Request models: strict integers (no booleans, no strings, no floats), bounds in ``Field``.

Rule: rules.md §9 (raw inputs only: delegates are never accepted as input).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, model_validator

from caucuskit.formats.inputs import Alignment, Count, PrecinctCounts, no_nul
from caucuskit.services.submit import ReportInput, Toss

Name = Annotated[StrictStr, Field(min_length=1, max_length=100), AfterValidator(no_nul)]
Place = Annotated[StrictStr, Field(min_length=1, max_length=300), AfterValidator(no_nul)]
Code = Annotated[StrictStr, Field(min_length=1, max_length=50), AfterValidator(no_nul)]
Reason = Annotated[StrictStr, Field(min_length=1, max_length=500), AfterValidator(no_nul)]
Witness = Annotated[StrictStr, Field(max_length=200), AfterValidator(no_nul)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


CardText = Annotated[StrictStr, Field(min_length=2, max_length=20), AfterValidator(no_nul)]


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
        return Toss(
            self.winner or "", tuple(self.witnesses), tuple(sorted((self.cards or {}).items()))
        )


class EarlyConfirmIn(Strict):
    """The early-ballot count and checksum the chair read back (Nevada)."""

    count: Count
    checksum: Annotated[StrictStr, Field(min_length=1, max_length=20), AfterValidator(no_nul)]


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
    early_confirmed: EarlyConfirmIn | None = None

    def to_input(self) -> ReportInput:
        return ReportInput(
            attendees=self.attendees,
            first=dict(self.first),
            final=dict(self.final),
            tosses=tuple(t.to_toss() for t in self.tosses),
            early_confirmed=None
            if self.early_confirmed is None
            else (self.early_confirmed.count, self.early_confirmed.checksum),
        )


class PreviewIn(ReportIn):
    code: Code | None = None


class ChairReportIn(ReportIn):
    """``code`` may be left out when the request carries the sign-in token
    (``Authorization: Bearer``); with neither the answer is 401 on ``code``."""

    code: Code | None = None


class OperatorReportIn(ReportIn):
    code: Code | None = None
    channel: Literal["hotline", "paper"]


class RecanvassIn(ReportIn):
    channel: Literal["recanvass", "recount"]
    reason: Reason


class SigninIn(PrecinctRefIn):
    code: Code | None = None


class DecisionIn(Strict):
    reason: Reason


class PhotoIn(Strict):
    """A photo of the signed worksheet, base64 (up to 2 MiB decoded)."""

    code: Code | None = None
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    data: Annotated[StrictStr, Field(min_length=4, max_length=2_900_000)]


class ProblemOut(BaseModel):
    """One thing wrong: the field it is about, and why."""

    field: str
    message: str


class ErrorOut(BaseModel):
    """Every error answer (docs/api.md, "Errors")."""

    error: str
    message: str
    problems: list[ProblemOut]


def _err(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


#: Answers any operation may give (documented on every path of the OpenAPI description).
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("Body is not a JSON object, or a NUL character in the path or query"),
    404: _err("Unknown id in the path"),
    413: _err("Body too large"),
    422: _err("Invalid input; `problems` name each field"),
    503: _err("Database unreachable or server busy; see Retry-After"),
}
