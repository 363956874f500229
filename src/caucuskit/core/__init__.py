"""The pure core: precinct caucus math with exact fractions. Standard library only."""

from caucuskit.core.errors import CaucusError, DefinitionError, Problem, ValidationError
from caucuskit.core.model import (
    GroupLine,
    PendingTie,
    PrecinctInput,
    PrecinctResult,
    Step,
    TieRecord,
)
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.rules import (
    IA_2016,
    IA_2020,
    NV_2020,
    RULESETS,
    OneDelegateRule,
    OvershootRule,
    OvershootTies,
    Realignment,
    RuleSet,
    TieMethod,
    get_ruleset,
)
from caucuskit.core.satellite import satellite_delegates
from caucuskit.core.viability import viability_threshold

__all__ = [
    "IA_2016",
    "IA_2020",
    "NV_2020",
    "RULESETS",
    "CaucusError",
    "DefinitionError",
    "GroupLine",
    "OneDelegateRule",
    "OvershootRule",
    "OvershootTies",
    "PendingTie",
    "PrecinctInput",
    "PrecinctResult",
    "Problem",
    "Realignment",
    "RuleSet",
    "Step",
    "TieMethod",
    "TieRecord",
    "ValidationError",
    "compute_precinct",
    "get_ruleset",
    "satellite_delegates",
    "viability_threshold",
]
