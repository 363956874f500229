"""Reading one precinct for ``caucus precinct``: command-line alignments and batch JSON lines.

Rule: rules.md §11 (options per ruleset). Errors name the option or the JSON key.

Inputs: ``"Biden=6,Buttigieg=8"`` texts, option values, parsed JSON objects. Outputs: a
:class:`RuleSet` and a :class:`PrecinctInput` for :func:`caucuskit.core.compute_precinct`.
"""

from __future__ import annotations

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PrecinctInput
from caucuskit.core.rules import (
    OPTION_NAMES,
    RULESETS,
    OneDelegateRule,
    OvershootTies,
    RuleSet,
    get_ruleset,
)

#: Keys a JSON line of batch mode may carry.
JSONL_KEYS = frozenset(
    {"id", "rules", "delegates", "attendees", "final", "first", "toss_winners", "options"}
)
JSONL_REQUIRED = ("delegates", "attendees", "final")


def parse_alignment(text: str, option: str) -> dict[str, int]:
    """Read ``"Biden=6,Buttigieg=8"`` into a mapping; errors name the option and the bad item.

    Blank items (a trailing comma) are ignored; an empty text is an empty alignment.
    """
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, count = item.partition("=")
        name, count = name.strip(), count.strip()
        if not sep or not name or not count or "=" in count:
            problems.append(Problem(option, f"{item.strip()!r} is not NAME=COUNT"))
            continue
        try:
            value = int(count)
        except ValueError:
            problems.append(
                Problem(option, f"{item.strip()!r}: the count {count!r} is not a whole number")
            )
            continue
        if name in counts:
            problems.append(Problem(option, f"{name!r} is given more than once"))
            continue
        counts[name] = value
    if problems:
        raise ValidationError(problems)
    return counts


def rules_with_options(
    name: str,
    *,
    one_delegate: OneDelegateRule | None = None,
    overshoot_ties: OvershootTies | None = None,
    protect_only_delegate: bool | None = None,
    first_viability_sticks: bool | None = None,
) -> RuleSet:
    """The named ruleset with the command-line options that were given (None keeps the default)."""
    rules = get_ruleset(name)
    changes: dict[str, object] = {}
    if one_delegate is not None:
        changes["one_delegate"] = one_delegate
    if overshoot_ties is not None:
        changes["overshoot_ties"] = overshoot_ties
    if protect_only_delegate is not None:
        changes["protect_only_delegate"] = protect_only_delegate
    if first_viability_sticks is not None:
        changes["first_viability_sticks"] = first_viability_sticks
    return rules.with_options(**changes) if changes else rules


def _int_map(value: object, field: str, problems: list[Problem]) -> dict[str, int] | None:
    """Type checks of a JSON alignment; the core checks the counts themselves."""
    if not isinstance(value, dict):
        problems.append(Problem(field, f"must be an object of group -> head count, got {value!r}"))
        return None
    # The counts themselves (whole, not negative, not true/false) are checked by the core;
    # JSON object keys are always text.
    return value


def input_from_json(
    obj: object, default_rules: RuleSet
) -> tuple[RuleSet, PrecinctInput]:
    """One batch line (already parsed JSON) as a ruleset and a precinct input.

    ``rules`` names a ruleset (default: the command's ``--rules`` with its options); ``options``
    changes §11 options for this line only (``{"one_delegate": "strict-majority"}``).
    """
    if not isinstance(obj, dict):
        raise ValidationError.single("line", f"must be a JSON object, got {type(obj).__name__}")
    problems: list[Problem] = []
    for key in sorted(set(obj) - JSONL_KEYS):
        problems.append(Problem(key, "unknown key; known: " + ", ".join(sorted(JSONL_KEYS))))
    for key in JSONL_REQUIRED:
        if key not in obj:
            problems.append(Problem(key, "is missing"))
    rules = default_rules
    if "rules" in obj:
        name = obj["rules"]
        if not isinstance(name, str):
            problems.append(Problem("rules", f"must be a ruleset name, got {name!r}"))
        elif name not in RULESETS:
            problems.append(
                Problem("rules", f"unknown ruleset {name!r}; known: {', '.join(sorted(RULESETS))}")
            )
        elif name != default_rules.name:
            # The command line's options (those that differ from its ruleset) still apply.
            base = get_ruleset(default_rules.name)
            changed = {
                key: getattr(default_rules, key)
                for key in OPTION_NAMES
                if getattr(default_rules, key) != getattr(base, key)
            }
            rules = get_ruleset(name).with_options(**changed)
    if "options" in obj:
        options = obj["options"]
        if not isinstance(options, dict):
            problems.append(Problem("options", f"must be an object, got {options!r}"))
        elif not problems:
            try:
                rules = rules.with_option_values(options)
            except ValidationError as err:
                problems.extend(err.problems)
    final = _int_map(obj.get("final", {}), "final", problems)
    first = None
    if obj.get("first") is not None:
        first = _int_map(obj["first"], "first", problems)
    winners = obj.get("toss_winners", [])
    if winners is None:
        winners = []
    if not isinstance(winners, list) or not all(isinstance(w, str) for w in winners):
        problems.append(Problem("toss_winners", f"must be a list of group names, got {winners!r}"))
        winners = []
    if problems:
        raise ValidationError(problems)
    assert final is not None
    data = PrecinctInput(
        delegates=obj["delegates"],
        attendees=obj["attendees"],
        final=final,
        first=first,
        toss_winners=tuple(winners),
    )
    return rules, data
