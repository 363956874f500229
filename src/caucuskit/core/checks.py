"""Validation of a precinct's raw inputs, with errors that name the field.

Rule: rules.md §3.2 (N is the opening head count), §4 (who may realign; the consequences
for 2020 data usable as checks).
"""

from __future__ import annotations

from collections.abc import Mapping

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PrecinctInput
from caucuskit.core.rules import Realignment, RuleSet
from caucuskit.core.viability import viability_threshold

#: Caps on input numbers: a precinct is a room, not a country (keeps bad input from doing harm).
MAX_PEOPLE = 10_000_000
MAX_DELEGATES = 100_000


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_count(problems: list[Problem], field: str, value: object, *, cap: int) -> bool:
    """Append a problem unless ``value`` is a whole number from 0 to ``cap``."""
    if not _is_count(value):
        problems.append(Problem(field, f"must be a whole number, got {value!r}"))
        return False
    assert isinstance(value, int)
    if value < 0:
        problems.append(Problem(field, f"must not be negative, got {value}"))
        return False
    if value > cap:
        problems.append(Problem(field, f"is implausibly large ({value}; limit {cap})"))
        return False
    return True


def _check_alignment(
    problems: list[Problem], name: str, counts: Mapping[str, int], attendees: int | None
) -> bool:
    ok = True
    if not isinstance(counts, Mapping):
        problems.append(Problem(name, "must map group names to head counts"))
        return False
    for group, value in counts.items():
        if not isinstance(group, str) or not group.strip():
            problems.append(Problem(name, f"group names must be non-empty text, got {group!r}"))
            ok = False
            continue
        if group != group.strip():
            problems.append(Problem(f"{name}.{group.strip()}", "group name has stray spaces"))
            ok = False
        ok &= check_count(problems, f"{name}.{group}", value, cap=MAX_PEOPLE)
    if ok and attendees is not None:
        total = sum(counts.values())
        if total > attendees:
            problems.append(
                Problem(
                    name,
                    f"alignment total {total} is above the {attendees} attendees counted at the "
                    "start (rules.md §3.2)",
                )
            )
            ok = False
    return ok


def validate_input(
    rules: RuleSet, data: PrecinctInput, known_groups: frozenset[str] | None = None
) -> None:
    """Raise :class:`ValidationError` listing every problem with ``data`` under ``rules``.

    ``known_groups``, when given, is the election's list of preference groups (candidates,
    uncommitted, other); any other name is refused.
    """
    problems: list[Problem] = []
    d_ok = check_count(problems, "delegates", data.delegates, cap=MAX_DELEGATES)
    n_ok = check_count(problems, "attendees", data.attendees, cap=MAX_PEOPLE)
    if n_ok and data.attendees == 0:
        problems.append(Problem("attendees", "must be at least 1: nobody attended (N = 0)"))
        n_ok = False
    attendees = data.attendees if n_ok else None
    final_ok = _check_alignment(problems, "final", data.final, attendees)
    first_ok = True
    if data.first is not None:
        first_ok = _check_alignment(problems, "first", data.first, attendees)
    for i, name in enumerate(data.toss_winners):
        if not isinstance(name, str) or not name:
            problems.append(Problem(f"toss_winners[{i}]", f"must be a group name, got {name!r}"))
    if known_groups is not None:
        problems.extend(_unknown_groups(data, known_groups))
    if (
        d_ok
        and n_ok
        and final_ok
        and first_ok
        and data.first is not None
        and rules.realignment is Realignment.NONVIABLE_ONLY
    ):
        problems.extend(realignment_problems(rules, data))
    if problems:
        raise ValidationError(problems)


def _unknown_groups(data: PrecinctInput, known_groups: frozenset[str]) -> list[Problem]:
    """Every group named in the alignments that is not one of the election's (rules.md §4)."""
    out: list[Problem] = []
    for label, counts in (("final", data.final), ("first", data.first or {})):
        if isinstance(counts, Mapping):
            out.extend(
                Problem(
                    f"{label}.{group}",
                    "unknown group; expected one of " + ", ".join(sorted(known_groups)),
                )
                for group in counts
                if group not in known_groups
            )
    return out


def realignment_problems(rules: RuleSet, data: PrecinctInput) -> list[Problem]:
    """The 2020 realignment checks of rules.md §4, as problems (empty when all is well).

    People may leave the room between the alignments (they stay in N, rules.md §3.2, §4 "People
    who leave"); they may not move from a viable group to another one. A viable group that
    shrinks is therefore accepted as long as the room shrank at least as much: the members the
    viable groups lost (together) are no more than the people who left (first total minus final
    total). :func:`departures` lists such groups so that the chair can confirm them and the
    desk can see them. Otherwise some of them must have joined another group, which is refused.
    """
    assert data.first is not None
    problems: list[Problem] = []
    first, final = data.first, data.final
    first_total, final_total = sum(first.values()), sum(final.values())
    if final_total > first_total:
        problems.append(
            Problem(
                "final",
                f"the final alignment has {final_total} people but the first had "
                f"{first_total}: nobody may join after the first alignment (rules.md §4)",
            )
        )
    threshold = viability_threshold(rules, data.delegates, data.attendees)
    if threshold is None:
        return problems
    left = max(0, first_total - final_total)
    lost = {
        g: first[g] - final.get(g, 0)
        for g in first
        if first[g] > 0 and first[g] >= threshold and final.get(g, 0) < first[g]
    }
    moved = sum(lost.values()) > left
    for group in sorted(set(first) | set(final)):
        before, after = first.get(group, 0), final.get(group, 0)
        if group in lost and moved:
            gone = "nobody" if left == 0 else f"only {left}"
            problems.append(
                Problem(
                    f"final.{group}",
                    f"{group}'s group was viable, so its members cannot join another group: "
                    f"it went from {before} to {after}, but {gone} left the room (the final "
                    f"alignment total is {final_total}, the first {first_total}) (rules.md §4)",
                )
            )
        elif before < threshold and after < threshold and after > before:
            problems.append(
                Problem(
                    f"final.{group}",
                    f"{group}'s group was not viable and is still not viable, so it cannot gain "
                    f"members: it went from {before} to {after} (viability needs {threshold}) "
                    "(rules.md §4)",
                )
            )
    return problems


def departures(rules: RuleSet, data: PrecinctInput) -> dict[str, int]:
    """Viable groups of the first alignment that are smaller in the final one: group -> how many
    of its members left (2020 rules, rules.md §4 "People who leave": still counted in N).

    Empty when the ruleset lets anyone realign, when there is no first alignment, or when the
    losses cannot all be people leaving (then :func:`realignment_problems` refuses the input).
    Only meaningful for input that :func:`validate_input` accepts.
    """
    if data.first is None or rules.realignment is not Realignment.NONVIABLE_ONLY:
        return {}
    threshold = viability_threshold(rules, data.delegates, data.attendees)
    if threshold is None:
        return {}
    first, final = data.first, data.final
    out = {
        g: n - final.get(g, 0)
        for g, n in sorted(first.items())
        if n > 0 and n >= threshold and final.get(g, 0) < n
    }
    left = sum(first.values()) - sum(final.values())
    return out if sum(out.values()) <= left else {}
