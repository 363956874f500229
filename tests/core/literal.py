"""A literal reading of the official "round, then add or remove" text, for comparison with §5.7.

Written from the rule text only, with whole-number arithmetic and 4-place decimals, and
deliberately shaped differently from ``caucuskit.core.allocation`` (fixed orderings walked round
and round instead of a recomputed maximum):

* §3.1/§3.2: viable iff members >= ceil(fraction x N), with N the opening head count.
* §5.1: raw = members x D / N; round half up (.5 and above up); a viable group gets at least 1.
* §5.2: too few: "an additional delegate will be awarded to the group(s) with the highest decimal
  below 0.5"; NV Principle 3: to the group closest to rounding up to the next whole number,
  one at a time in that order, going round again as needed.
* §5.3: too many: "subtracted from the preference group(s) with the lowest decimal above 0.5.
  Note: a group cannot lose its only delegate" (NV: furthest from rounding up); when that
  protection binds, from a group holding 2 or more even if its decimal is higher.
* §5.4: decimals compared at 4 places; a game of chance only when the tied set is larger than
  the delegates to give or take. Outcomes come from ``winners`` in the order ties arise: the
  winners gain the delegate, or keep it.
* §5.7 step 5: more viable groups than delegates: Iowa, the smallest groups lose their only
  delegate one at a time (ties by lot); Nevada, the precinct awards the extra delegates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNIT = 10_000  # 4 decimal places


@dataclass
class Literal:
    delegates: dict[str, int]
    pending: bool = False
    tosses_used: int = 0
    steps: list[str] = field(default_factory=list)


def threshold(delegates: int, attendees: int) -> int:
    """§3.1 with integers only: ceil(N/4), ceil(N/6), ceil(3N/20)."""
    if delegates == 2:
        return -(-attendees // 4)
    if delegates == 3:
        return -(-attendees // 6)
    return -(-3 * attendees // 20)


def _round_half_up(num: int, den: int) -> int:
    """num/den rounded to a whole number, halves up (integers only)."""
    return (2 * num + den) // (2 * den)


def _four_places(num: int, den: int) -> int:
    """num/den at 4 decimals, halves up, in units of 0.0001."""
    return _round_half_up(num * UNIT, den)


class _Coin:
    def __init__(self, winners: list[str]) -> None:
        self.winners = winners
        self.used = 0

    def toss(self, tied: list[str], count_winners: int) -> list[str] | None:
        if self.used + count_winners > len(self.winners):
            return None
        chosen = self.winners[self.used : self.used + count_winners]
        assert set(chosen) <= set(tied), (chosen, tied)
        self.used += count_winners
        return chosen


def _tiers(order: list[tuple[int, str]]) -> list[list[str]]:
    """Groups sorted by key, equal keys together."""
    out: list[list[str]] = []
    last: int | None = None
    for key, g in sorted(order):
        if out and key == last:
            out[-1].append(g)
        else:
            out.append([g])
        last = key
    return out


def literal_allocate(
    delegates: int,
    attendees: int,
    final: dict[str, int],
    *,
    nevada: bool,
    winners: list[str] | None = None,
) -> Literal:
    """Delegates per group for a precinct electing ``delegates`` >= 2."""
    assert delegates >= 2
    coin = _Coin(list(winners or []))
    need = threshold(delegates, attendees)
    viable = [g for g, m in final.items() if m > 0 and m >= need]
    out = Literal(delegates={})
    if not viable:
        return out
    raw_num = {g: final[g] * delegates for g in viable}  # raw = raw_num / attendees
    dec4 = {g: _four_places(raw_num[g], attendees) for g in viable}
    alloc = {g: max(1, _round_half_up(raw_num[g], attendees)) for g in viable}
    short = delegates - sum(alloc.values())

    if short > 0:
        # Distance to the next whole number, smallest first; walk the order round and round.
        order = _tiers([((alloc[g] + 1) * UNIT - dec4[g], g) for g in viable])
        while short > 0:
            for tier in order:
                if short == 0:
                    break
                if len(tier) <= short:
                    for g in tier:
                        alloc[g] += 1
                    short -= len(tier)
                    continue
                won = coin.toss(tier, short)
                if won is None:
                    out.pending = True
                    short = 0
                    break
                for g in won:
                    alloc[g] += 1
                short = 0

    excess = -short if short < 0 else 0
    if excess > 0:
        # First the groups that were rounded up, lowest decimal first; then, if the only-delegate
        # protection binds, the other groups holding 2 or more, lowest decimal first.
        up = [g for g in viable if alloc[g] * UNIT > dec4[g]]
        rest = [g for g in viable if g not in up]
        rounded_up = [(dec4[g] - (alloc[g] - 1) * UNIT, g) for g in up]  # decimal - 0, e.g. .6
        others = [(UNIT + dec4[g] - alloc[g] * UNIT, g) for g in rest]  # 1 + decimal, e.g. 1.3
        order = _tiers(rounded_up + others)
        progress = True
        while excess > 0 and progress and not out.pending:
            progress = False
            for tier in order:
                if excess == 0:
                    break
                holders = [g for g in tier if alloc[g] >= 2]
                if not holders:
                    continue
                progress = True
                if len(holders) <= excess:
                    for g in holders:
                        alloc[g] -= 1
                    excess -= len(holders)
                    continue
                keep = coin.toss(holders, len(holders) - excess)
                if keep is None:
                    out.pending = True
                    break
                for g in holders:
                    if g not in keep:
                        alloc[g] -= 1
                excess = 0
        if excess > 0 and not out.pending and not nevada:
            # More viable groups than delegates: the smallest groups lose, one at a time.
            for tier in _tiers([(final[g], g) for g in viable if alloc[g] > 0]):
                if excess == 0:
                    break
                if len(tier) <= excess:
                    for g in tier:
                        alloc[g] = 0
                    excess -= len(tier)
                    continue
                keep = coin.toss(tier, len(tier) - excess)
                if keep is None:
                    out.pending = True
                    break
                for g in tier:
                    if g not in keep:
                        alloc[g] = 0
                excess = 0
    out.delegates = {g: n for g, n in alloc.items() if n > 0}
    out.tosses_used = coin.used
    return out
