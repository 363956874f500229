"""Reading one precinct for ``caucus precinct``: command-line alignments and batch JSON lines.

Rule: rules.md §11 (options per ruleset). Errors name the option or the JSON key.

Inputs: ``"Biden=6,Buttigieg=8"`` texts, option values, parsed JSON objects. Outputs: a
:class:`RuleSet` and a :class:`PrecinctInput` for :func:`caucuskit.core.compute_precinct`.
"""

from __future__ import annotations

from caucuskit.core.checks import MAX_DELEGATES
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
from caucuskit.formats.limits import MAX_COUNT, MAX_GROUP_NAME, MAX_GROUPS


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


def input_from_json(obj: object, default_rules: RuleSet) -> tuple[RuleSet, PrecinctInput]:
    """One batch line (already parsed JSON) as a ruleset and a precinct input.

    The line's shape is :class:`caucuskit.formats.inputs.BatchLine` (the counts are checked as
    the API and the report files check them). ``rules`` names a ruleset (default: the command's
    ``--rules`` with its options); ``options`` changes §11 options for this line only
    (``{"one_delegate": "strict-majority"}``).
    """
    from caucuskit.formats.inputs import BatchLine, read_shape

    if not isinstance(obj, dict):
        raise ValidationError.single("line", f"must be a JSON object, got {type(obj).__name__}")
    line = read_shape(BatchLine, obj)
    problems: list[Problem] = []
    rules = default_rules
    if line.rules is not None and line.rules not in RULESETS:
        known = ", ".join(sorted(RULESETS))
        problems.append(Problem("rules", f"unknown ruleset {line.rules!r}; known: {known}"))
    elif line.rules is not None and line.rules != default_rules.name:
        # The command line's options (those that differ from its ruleset) still apply.
        base = get_ruleset(default_rules.name)
        changed = {
            key: getattr(default_rules, key)
            for key in OPTION_NAMES
            if getattr(default_rules, key) != getattr(base, key)
        }
        rules = get_ruleset(line.rules).with_options(**changed)
    if line.options is not None and not problems:
        try:
            rules = rules.with_option_values(line.options)
        except ValidationError as err:
            problems.extend(err.problems)
    if problems:
        raise ValidationError(problems)
    data = PrecinctInput(
        delegates=line.delegates,
        attendees=line.attendees,
        final=dict(line.final),
        first=None if line.first is None else dict(line.first),
        toss_winners=tuple(line.toss_winners or ()),
    )
    return rules, data


#: The keys a batch line may have and still be read without pydantic (see :func:`plain_line`).
_PLAIN_KEYS = frozenset({"id", "delegates", "attendees", "final", "first", "toss_winners"})


def _plain_alignment(value: object) -> bool:
    """True when ``value`` is certainly a valid ``Alignment`` of :mod:`caucuskit.formats.inputs`."""
    if type(value) is not dict or len(value) > MAX_GROUPS:
        return False
    for name, count in value.items():
        if type(name) is not str or not 0 < len(name) <= MAX_GROUP_NAME or "\x00" in name:
            return False
        if type(count) is not int or not 0 <= count <= MAX_COUNT:
            return False
    return True


def plain_line(obj: object) -> PrecinctInput | None:
    """The precinct input of a common, well-formed batch line without pydantic, or None.

    None means "not sure": the caller reads the line with :func:`input_from_json`, which names
    every problem. A line is read here only when :class:`caucuskit.formats.inputs.BatchLine`
    would certainly accept it and give the same input (tests/cli/test_precinct_lines.py):
    no ``rules`` or ``options`` keys, an ``id`` that is a text, an integer or a boolean,
    plain JSON integers within the limits, group names of
    1-100 characters without NUL, toss winners as texts.
    """
    if type(obj) is not dict or not obj.keys() <= _PLAIN_KEYS:
        return None
    delegates, attendees, final = obj.get("delegates"), obj.get("attendees"), obj.get("final")
    if type(delegates) is not int or not 0 <= delegates <= MAX_DELEGATES:
        return None
    if type(attendees) is not int or not 0 <= attendees <= MAX_COUNT:
        return None
    if not _plain_alignment(final):
        return None
    first = obj.get("first")
    if first is not None and not _plain_alignment(first):
        return None
    winners = obj.get("toss_winners")
    if winners is not None and (
        type(winners) is not list or any(type(w) is not str for w in winners)
    ):
        return None
    ident = obj.get("id")
    if ident is not None and type(ident) not in (str, int, bool):
        return None
    return PrecinctInput(
        delegates=delegates,
        attendees=attendees,
        final=dict(final),  # type: ignore[arg-type]
        first=None if first is None else dict(first),
        toss_winners=tuple(winners or ()),
    )
