"""The chair's words: every worksheet sentence, rendered from the typed records of
:mod:`caucuskit.core.steps` in this one place.

``web/static/caucus-math.js`` has the same functions (``renderStep``, ``tieReason``,
``noteText``) and tests/web/test_math_port.py checks both give the same records and the same
words. Change a sentence here and there together.

Rule: rules.md §5.7 step 6 (the worksheet explains every decision), §3, §5.1-§5.6, §10, §11.

Inputs: a step record (read by attribute). Outputs: its text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caucuskit.core.steps import WorksheetStep


def tie_reason(basis: str, tied: int, value: str, delegates: int) -> str:
    """Why a game of chance is needed: ``tied`` groups level on ``value`` for ``delegates``.

    Also the ``reason`` of a :class:`~caucuskit.core.model.PendingTie`.
    """
    if basis == "closest":
        return f"{tied} groups tie at decimal {value} for {delegates} remaining delegate(s)"
    if basis == "furthest":
        return f"{tied} groups tie at decimal {value} and {delegates} delegate(s) must be removed"
    if basis == "smallest":
        return (
            f"{tied} equally small groups (share {value}) and {delegates} must lose their "
            "delegate: more viable groups than delegates"
        )
    return f"{tied} groups tie as the largest with {value} each"


def note_text(why: str, groups: tuple[str, ...] = (), count: int | None = None) -> str:
    """The sentence of a :class:`~caucuskit.core.steps.Note` (also kept in ``notes``)."""
    if why == "no-delegates":
        return "This precinct elects no delegates (D = 0): nothing to allocate."
    if why == "nobody":
        return "Nobody is in any group: the single delegate cannot be elected yet."
    if why == "no-majority":
        return f"No one has a majority of the {count} votes cast: the caucus votes again."
    if why == "no-strict-majority":
        return (
            "No group has more than half of the attendees: no delegate yet "
            "(rules.md §11 Q2 leaves what happens next open)."
        )
    if why == "none-viable":
        return "No group is viable: no delegate can be allocated; the caucus must realign."
    if why == "realign-wait":
        return (
            f"{', '.join(groups)} must realign; {count} delegate(s) wait for the new final "
            "alignment (IDP 2020 app behaviour, rules.md §10, Q8)."
        )
    return "Every viable group must realign; no delegate can be allocated yet."


def extra_text(viable: int, delegates: int, awarded: int) -> str:
    """Nevada Principle 2 (also kept in ``notes``)."""
    return (
        f"{viable} viable groups for {delegates} delegates: every viable group keeps its "
        f"delegate and the precinct awards {awarded} (rules.md §5.7 step 5, Nevada Principle 2)"
    )


def _one_delegate(s: Any) -> str:
    if s.rule == "majority-vote":
        return (
            f"One delegate: no preference groups; a simple majority of the {s.cast} votes cast "
            "elects it (rules.md §5.6, 2016)."
        )
    if s.rule == "strict-majority":
        return (
            f"One delegate: a group needs more than half of the {s.attendees} attendees (strict "
            "majority option, rules.md §11 Q2)."
        )
    return (
        f"One delegate: the largest final group wins it; a tie goes to a {s.method} "
        "(rules.md §5.6)."
    )


def _round(s: Any) -> str:
    text = (
        f"{s.name}: {s.members} x {s.delegates} / {s.attendees} = {s.decimal}, "
        f"rounds {s.direction} to {s.rounded}"
    )
    if s.raised:
        text += "; raised to 1: a viable group gets at least one delegate (rules.md §5.1)"
    return text


def _remove(s: Any) -> str:
    why = "furthest from rounding up"
    if s.protected:
        why += "; groups holding only one delegate are protected (rules.md §5.3)"
    return f"-1 from {s.name} (now {s.now}): decimal {s.decimal}, {why}; {s.excess} too many"


def _zero(s: Any) -> str:
    if s.realign:
        return (
            f"{s.name} loses its delegate and must realign: smallest group (share {s.share}); "
            "more viable groups than delegates (IDP 2020 app behaviour, rules.md §10, Q8)"
        )
    return (
        f"{s.name} loses its only delegate: the smallest group (share {s.share}) when more "
        "groups are viable than there are delegates (rules.md §5.7 step 5)"
    )


def _tie(s: Any) -> str:
    reason = tie_reason(s.basis, len(s.groups), s.value, s.delegates)
    if s.basis == "largest":
        return f"Tie: {reason}; a {s.method} decides."
    who = "gains" if s.change == "gain" else "keeps"
    return f"Tie: {reason}; a {s.method} decides who {who}."


def _toss(s: Any) -> str:
    verb = "won" if s.won else "lost"
    if s.basis == "largest":
        return f"{s.name} won the {s.method}"
    if s.change == "gain":
        return f"+1 to {s.name} (now {s.now}): won the {s.method}"
    if s.won:
        kept = "its delegate" if s.basis == "smallest" else str(s.now)
        return f"{s.name} keeps {kept}: won the {s.method}"
    if s.basis == "smallest":
        return f"{s.name} loses its only delegate: {verb} the {s.method}"
    return f"-1 from {s.name} (now {s.now}): {verb} the {s.method}"


def _award(s: Any) -> str:
    if s.single:
        return f"{s.name} elects the precinct's delegate ({s.members})."
    return f"{s.name}: {s.delegates} delegate(s)"


def _early_targets(s: Any) -> str:
    if s.after == "none":
        return (
            "No viability in this precinct (D <= 1): early ballots stay with their first choice "
            "(rules.md §5.6)."
        )
    where = "first alignment" if s.after == "first" else "in-person realignment"
    rule = (
        "option early_realign=after-first, rules.md §11 Q9"
        if s.after == "first"
        else "rules.md §4 NV"
    )
    return (
        "Early ballots of non-viable first choices move to their highest-ranked choice viable "
        f"after the {where}: {', '.join(s.groups) or 'none'} ({rule})"
    )


def _draw(s: Any) -> str:
    verb = "gain" if s.change == "gain" else "keep"
    text = (
        f"Card draw between {', '.join(s.groups)}: {', '.join(s.cards)}; "
        f"{', '.join(s.winners)} {verb} (aces high; spades > hearts > diamonds > clubs, "
        "rules.md §5.4)"
    )
    return text + (f"; witnesses: {', '.join(s.witnesses)}" if s.witnesses else "")


#: Nevada's records (:mod:`caucuskit.core.nevada_steps`): early ranked ballots, card draws.
_NEVADA = {
    "early-count": lambda s: (
        f"{s.ballots} early ballot(s): {s.valid} valid, {s.void} void; N = {s.attendees} in "
        f"person + {s.valid} early = {s.n} (rules.md §3.2, §4 NV)"
    ),
    "early-void": lambda s: f"{s.count} void: {s.reason} (rules.md §11 Q9)",
    "early-first": lambda s: f"{s.name}: {s.count} early first choice(s) join the first alignment",
    "early-targets": _early_targets,
    "early-lost": lambda s: f"{s.name}: not viable, {s.count} early ballot(s) move on",
    "early-gained": lambda s: f"{s.name}: gains {s.count} early ballot(s) from lower choices",
    "early-exhausted": lambda s: (
        f"{s.count} early ballot(s) rank no viable group: they count for no group and stay in N"
    ),
    "draw": _draw,
}


def render(step: WorksheetStep) -> str:
    """The chair-facing sentence of one worksheet record."""
    s: Any = step
    kind = step.kind
    if kind == "threshold":
        return (
            f"Viability threshold: {s.fraction} x {s.attendees} attendees = {s.exact}, "
            f"rounded up to {s.threshold} (rules.md §3)."
        )
    if kind == "viable":
        when = "after the first" if s.alignment == "first" else "in the final"
        return f"Viable {when} alignment: " + (", ".join(s.groups) or "none")
    if kind == "stays-viable":
        return (
            f"{s.name} stays viable: it was viable in the first alignment "
            "(option first_viability_sticks, rules.md §11 Q3)"
        )
    if kind == "total":
        return f"Rounded total {s.total}; delegates to elect {s.delegates}."
    if kind == "add":
        return (
            f"+1 to {s.name} (now {s.now}): its share is the closest to the next whole number "
            f"(decimal {s.decimal}); {s.short} short"
        )
    if kind == "extra":
        return extra_text(s.viable, s.delegates, s.awarded)
    if kind == "note":
        return note_text(s.why, s.groups, s.count)
    if kind in _NEVADA:
        return _NEVADA[kind](s)
    renderers = {
        "one-delegate": _one_delegate,
        "round": _round,
        "remove": _remove,
        "zero": _zero,
        "tie": _tie,
        "toss": _toss,
        "award": _award,
    }
    return renderers[kind](s)
