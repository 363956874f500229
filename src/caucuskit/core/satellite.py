"""Satellite caucuses (Iowa 2020): county delegates from turnout.

Rule: rules.md §7.3 (the IDP app's calculateSatelliteDelegates table).
"""

from __future__ import annotations

from caucuskit.core.errors import ValidationError

#: (most participants, county delegates) per tier; above the last tier: 9.
SATELLITE_TIERS: tuple[tuple[int, int], ...] = ((20, 4), (40, 5), (60, 6), (80, 7), (100, 8))
SATELLITE_MAX = 9


def satellite_delegates(participants: int) -> int:
    """County delegates a satellite site elects for ``participants`` (0 for an empty site)."""
    if isinstance(participants, bool) or not isinstance(participants, int):
        raise ValidationError.single("attendees", f"must be a whole number, got {participants!r}")
    if participants < 0:
        raise ValidationError.single("attendees", f"must not be negative, got {participants}")
    if participants == 0:
        return 0
    for most, delegates in SATELLITE_TIERS:
        if participants <= most:
            return delegates
    return SATELLITE_MAX
