"""Games of chance: the core never draws; it reports the tie and reads recorded outcomes.

Rule: rules.md §5.4 (coin toss in Iowa, card draw in Nevada; a toss only when the tied set is
larger than the delegates to give or take).
"""

from __future__ import annotations

from caucuskit.core.errors import ValidationError
from caucuskit.core.model import PendingTie, TieAction, TieRecord


class TossBook:
    """The recorded outcomes, consumed in the order the ties arise during the computation.

    A winner gains the delegate at stake (action "gain") or keeps it ("lose"). A tie in which
    ``k`` of ``n`` groups lose needs ``n - k`` winners; one in which ``k`` gain needs ``k``.
    """

    __slots__ = ("_pos", "_winners", "method", "records")

    def __init__(self, winners: tuple[str, ...], method: str) -> None:
        self._winners = winners
        self._pos = 0
        self.method = method
        self.records: list[TieRecord] = []

    def decide(
        self, groups: tuple[str, ...], delegates: int, action: TieAction, reason: str
    ) -> tuple[str, ...] | PendingTie:
        """The winners of this tie, or the :class:`PendingTie` when none was recorded yet."""
        pending = PendingTie(groups, delegates, action, self.method, reason)
        need = pending.winners_needed
        left = len(self._winners) - self._pos
        if left == 0:
            return pending
        if left < need:
            raise ValidationError.single(
                f"toss_winners[{self._pos}]",
                f"the {self.method} between {', '.join(groups)} needs {need} winner(s); "
                f"only {left} given",
            )
        chosen = self._winners[self._pos : self._pos + need]
        for offset, name in enumerate(chosen):
            index = self._pos + offset
            if name not in groups:
                raise ValidationError.single(
                    f"toss_winners[{index}]",
                    f"{name!r} is not in the tie: the {self.method} is between "
                    f"{', '.join(groups)} ({delegates} delegate(s) to {action})",
                )
            if name in chosen[:offset]:
                raise ValidationError.single(
                    f"toss_winners[{index}]", f"{name!r} is named twice for the same tie"
                )
        self._pos += need
        winners = tuple(sorted(chosen))
        self.records.append(TieRecord(groups, delegates, action, self.method, winners))
        return winners

    def check_all_used(self) -> None:
        """Refuse outcomes for ties that never arose."""
        if self._pos < len(self._winners):
            raise ValidationError.single(
                f"toss_winners[{self._pos}]",
                f"{self._winners[self._pos]!r}: no tie is left for this outcome to decide",
            )
