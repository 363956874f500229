"""Rulesets as data: everything that differs between Iowa 2016, Iowa 2020 and Nevada 2020.

A :class:`RuleSet` is passed into the computation; no code elsewhere asks "which year is it".
Each open question of rules.md §11 that touches a precinct is an option here, set to the
documented default.

Rule: rules.md §3.1 (thresholds), §4 (realignment), §5.3/§5.7 step 5 (overshoot),
§5.4 (ties), §5.6 (one-delegate precincts), §7.2 (display precision), §10, §11.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from fractions import Fraction

from caucuskit.core.errors import Problem, ValidationError


class OneDelegateRule(StrEnum):
    """How a precinct that elects a single delegate decides (rules.md §5.6, Q2)."""

    #: 2016: no preference groups; the delegate is elected by a simple majority of votes cast.
    MAJORITY_VOTE = "majority-vote"
    #: 2020 default: the largest final group wins; a tie goes to the game of chance.
    LARGEST_GROUP = "largest-group"
    #: Option (Q2): a group needs more than half of the attendees, otherwise nobody is elected yet.
    STRICT_MAJORITY = "strict-majority"


class OvershootRule(StrEnum):
    """What happens when more groups are viable than there are delegates (rules.md §5.7 step 5)."""

    #: Iowa: the smallest group loses its delegate, one at a time, ties by lot.
    SMALLEST_LOSES = "smallest-loses"
    #: Nevada 2020 Principle 2: the precinct awards extra delegates.
    AWARD_EXTRA = "award-extra"


class OvershootTies(StrEnum):
    """Iowa overshoot with several equally small groups (rules.md §11 Q8)."""

    #: Default: only as many lose as needed; a game of chance picks which.
    BY_LOT = "by-lot"
    #: The IDP 2020 app's behaviour (§10): every tied smallest group is zeroed and must realign.
    ALL_REALIGN = "all-realign"


class TieMethod(StrEnum):
    """The game of chance used to break ties (rules.md §5.4)."""

    COIN_TOSS = "coin toss"
    CARD_DRAW = "card draw"


class Realignment(StrEnum):
    """Who may move between the first and the final alignment (rules.md §4)."""

    #: 2016: anyone, viable groups may lose members.
    ANYONE = "anyone"
    #: 2020: only members of non-viable groups.
    NONVIABLE_ONLY = "nonviable-only"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one caucus, as data."""

    name: str
    title: str
    #: (minimum D, threshold fraction) from the largest D down; rules.md §3.1.
    thresholds: tuple[tuple[int, Fraction], ...]
    one_delegate: OneDelegateRule
    overshoot: OvershootRule
    tie_method: TieMethod
    realignment: Realignment
    overshoot_ties: OvershootTies = OvershootTies.BY_LOT
    #: §5.3 [EMPIRICAL]: a group's only delegate is protected when removing an excess.
    protect_only_delegate: bool = True
    #: Q3 (2016): a group viable in the first alignment stays viable in the final one even
    #: if it lost members (the Sanders 2016 tool's house rule). Default: no.
    first_viability_sticks: bool = False
    #: Decimals used when comparing shares for ties (§5.4).
    tie_places: int = 4
    #: Display precision of SDEs per precinct and in totals (§7.2).
    sde_places_precinct: int = 4
    sde_places_total: int = 3
    #: Q5: sum SDE totals from exact values (default) or from values rounded per precinct.
    sum_rounded_precinct_sdes: bool = False

    def threshold_fraction(self, delegates: int) -> Fraction | None:
        """The viability fraction for a precinct electing ``delegates`` (None for one delegate)."""
        if delegates <= 1:
            return None
        for minimum, fraction in self.thresholds:
            if delegates >= minimum:
                return fraction
        raise ValueError(f"no threshold for D={delegates}")  # pragma: no cover - table covers D>=2

    def with_options(self, **changes: object) -> RuleSet:
        """A copy with some options changed.

        Example: ``IA_2020.with_options(one_delegate=OneDelegateRule.STRICT_MAJORITY)``.
        """
        fields = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValidationError.single("rules", f"unknown option(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def with_option_values(self, values: Mapping[str, object], field: str = "options") -> RuleSet:
        """A copy with options given as JSON-style values (``{"one_delegate": "strict-majority"}``).

        Keys may use ``-`` or ``_``. Enum options take their text value, switches take true or
        false. Raises :class:`ValidationError` naming ``options.<key>`` for anything wrong.
        """
        problems: list[Problem] = []
        changes: dict[str, object] = {}
        for raw_key, value in values.items():
            key = str(raw_key).replace("-", "_")
            where = f"{field}.{raw_key}"
            if key not in OPTION_NAMES:
                problems.append(
                    Problem(where, "unknown option; known: " + ", ".join(sorted(OPTION_NAMES)))
                )
                continue
            current = getattr(self, key)
            if isinstance(current, Enum):
                choices = [m.value for m in type(current)]
                if not isinstance(value, str) or value not in choices:
                    problems.append(
                        Problem(where, f"must be one of {', '.join(choices)}; got {value!r}")
                    )
                    continue
                changes[key] = type(current)(value)
            elif isinstance(current, bool):
                if not isinstance(value, bool):
                    problems.append(Problem(where, f"must be true or false; got {value!r}"))
                    continue
                changes[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 12:
                    problems.append(
                        Problem(where, f"must be a whole number from 0 to 12; got {value!r}")
                    )
                    continue
                changes[key] = value
        if problems:
            raise ValidationError(problems)
        return self.with_options(**changes)

    def describe(self) -> dict[str, object]:
        """The ruleset as JSON-ready data (for worksheets and exports)."""
        return {
            "name": self.name,
            "title": self.title,
            "thresholds": {str(d): str(f) for d, f in self.thresholds},
            "one_delegate": self.one_delegate.value,
            "overshoot": self.overshoot.value,
            "overshoot_ties": self.overshoot_ties.value,
            "tie_method": self.tie_method.value,
            "realignment": self.realignment.value,
            "protect_only_delegate": self.protect_only_delegate,
            "first_viability_sticks": self.first_viability_sticks,
            "tie_places": self.tie_places,
            "sde_places_precinct": self.sde_places_precinct,
            "sde_places_total": self.sde_places_total,
            "sum_rounded_precinct_sdes": self.sum_rounded_precinct_sdes,
        }


#: Options a caller may change per precinct (the §11 questions and other switches); the rest of a
#: RuleSet (name, title, threshold table, tie method...) is fixed by the ruleset chosen.
OPTION_NAMES: frozenset[str] = frozenset(
    {
        "one_delegate",
        "overshoot",
        "overshoot_ties",
        "protect_only_delegate",
        "first_viability_sticks",
        "tie_places",
        "sde_places_precinct",
        "sde_places_total",
        "sum_rounded_precinct_sdes",
    }
)

_THRESHOLDS: tuple[tuple[int, Fraction], ...] = (
    (4, Fraction(3, 20)),
    (3, Fraction(1, 6)),
    (2, Fraction(1, 4)),
)

IA_2016 = RuleSet(
    name="ia-2016",
    title="Iowa Democratic caucuses 2016",
    thresholds=_THRESHOLDS,
    one_delegate=OneDelegateRule.MAJORITY_VOTE,
    overshoot=OvershootRule.SMALLEST_LOSES,
    tie_method=TieMethod.COIN_TOSS,
    realignment=Realignment.ANYONE,
    sde_places_precinct=2,
    sde_places_total=2,
)

IA_2020 = RuleSet(
    name="ia-2020",
    title="Iowa Democratic caucuses 2020",
    thresholds=_THRESHOLDS,
    one_delegate=OneDelegateRule.LARGEST_GROUP,
    overshoot=OvershootRule.SMALLEST_LOSES,
    tie_method=TieMethod.COIN_TOSS,
    realignment=Realignment.NONVIABLE_ONLY,
    sde_places_precinct=4,
    sde_places_total=3,
)

NV_2020 = RuleSet(
    name="nv-2020",
    title="Nevada Democratic caucuses 2020",
    thresholds=_THRESHOLDS,
    one_delegate=OneDelegateRule.LARGEST_GROUP,
    overshoot=OvershootRule.AWARD_EXTRA,
    tie_method=TieMethod.CARD_DRAW,
    realignment=Realignment.NONVIABLE_ONLY,
    sde_places_precinct=4,
    sde_places_total=3,
)

RULESETS: dict[str, RuleSet] = {r.name: r for r in (IA_2016, IA_2020, NV_2020)}


def get_ruleset(name: str) -> RuleSet:
    """Look a ruleset up by name (``ia-2016``, ``ia-2020``, ``nv-2020``)."""
    try:
        return RULESETS[name]
    except KeyError:
        known = ", ".join(sorted(RULESETS))
        raise ValidationError.single("rules", f"unknown ruleset {name!r}; known: {known}") from None
