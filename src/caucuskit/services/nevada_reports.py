"""Deriving a Nevada chair report: in-person counts plus the precinct's loaded early ballots,
ties settled by the recorded card draws (rules.md §4 NV, §5.4, §11 Q9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from caucuskit.core.cards import CardDraw, card_draw
from caucuskit.core.errors import ValidationError
from caucuskit.core.model import PrecinctResult
from caucuskit.core.nevada import NevadaInput, compute_nevada
from caucuskit.services.context import Context, PrecinctRef
from caucuskit.services.early_ballots import early_for
from caucuskit.services.errors import Invalid

if TYPE_CHECKING:
    from caucuskit.services.submit import ReportInput


def derive_nevada(
    ctx: Context, precinct: PrecinctRef, report: ReportInput, delegates: int
) -> tuple[PrecinctResult, dict[str, Any], tuple[tuple[str, ...], ...], dict[str, object] | None]:
    """The result, the worksheet (with early votes and draws), each draw's winners, and the
    early-ballot summary (None when none were loaded). :class:`Invalid` names the field."""
    election = ctx.election
    ballots = early_for(ctx, precinct) if election.rules.early_voting else None
    try:
        draws: list[CardDraw] = [
            card_draw(dict(t.cards), t.witnesses, field=f"tosses.{i}")
            for i, t in enumerate(report.tosses)
            if t.cards
        ]
        typed = tuple(t.winner for t in report.tosses if not t.cards)
        nv = compute_nevada(election.rules, NevadaInput(
            delegates=delegates, attendees=report.attendees, final=dict(report.final),
            first=dict(report.first), early=ballots or (), card_draws=tuple(draws),
            confirmed=report.early_confirmed, toss_winners=typed,
        ), election.candidate_names)  # fmt: skip
    except ValidationError as exc:
        raise Invalid(list(exc.problems)) from exc
    early = None
    if ballots is not None:
        early = {"count": nv.early.ballots, "checksum": nv.early.checksum}
    return nv.result, nv.to_dict(), tuple(d.winners for d in nv.draws), early
