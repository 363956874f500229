"""The race call: exact bounds from the reports in hand, coin-toss sensitivity, and replay.

Rule: rules.md §7.1 (outstanding precincts' fixed SDE values), §7.3 (satellites), §8.2
(D-Math), §5.4 (games of chance). The exact math lives in :mod:`caucuskit.core.bounds`. This
module keeps the names other layers import; the work is in, one concept each:

* :mod:`caucuskit.services.call_tracker`: the night's state, report by report;
* :mod:`caucuskit.services.call_report`: one call as data (``caucus call``);
* :mod:`caucuskit.services.call_tosses`: coin-toss sensitivity;
* :mod:`caucuskit.services.call_replay`: replaying a night;
* :mod:`caucuskit.services.race_panel`: the public ``race`` panel;
* :mod:`caucuskit.services.call_county`: the call from county SDEs (2016).
"""

from __future__ import annotations

from caucuskit.services.call_replay import (
    ReplayStep,
    decided_at,
    replay_snapshots,
    replay_stream,
)
from caucuskit.services.call_report import CallReport, call_database, call_reports, call_to_dict
from caucuskit.services.call_tosses import (
    Sensitivity,
    TossOption,
    sensitivity,
    sensitivity_to_dict,
    toss_options,
)
from caucuskit.services.call_tracker import (
    MaxTurnout,
    NightTracker,
    UnitOutcome,
    tracker_from_tabulation,
)
from caucuskit.services.race_panel import race_from_tabulation, race_panel

__all__ = [
    "CallReport",
    "MaxTurnout",
    "NightTracker",
    "ReplayStep",
    "Sensitivity",
    "TossOption",
    "UnitOutcome",
    "call_database",
    "call_reports",
    "call_to_dict",
    "decided_at",
    "race_from_tabulation",
    "race_panel",
    "replay_snapshots",
    "replay_stream",
    "sensitivity",
    "sensitivity_to_dict",
    "toss_options",
    "tracker_from_tabulation",
]
