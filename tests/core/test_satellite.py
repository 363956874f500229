"""Satellite sites (Iowa 2020): county delegates from turnout. Rule: rules.md §7.3."""

from __future__ import annotations

import pytest

from caucuskit.core import IA_2020, PrecinctInput, ValidationError, compute_precinct
from caucuskit.core import satellite_delegates as sat

# The §7.3 table with every boundary: participants -> county delegates.
TIERS = [
    (0, 0),
    (1, 4),
    (20, 4),
    (21, 5),
    (40, 5),
    (41, 6),
    (60, 6),
    (61, 7),
    (80, 7),
    (81, 8),
    (100, 8),
    (101, 9),
    (500, 9),
    (100_000, 9),
]


@pytest.mark.parametrize(("participants", "delegates"), TIERS)
def test_satellite_table(participants: int, delegates: int) -> None:
    assert sat(participants) == delegates


@pytest.mark.parametrize("bad", [-1, 2.0, "20", True, None])
def test_satellite_bad_turnout_names_the_field(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        sat(bad)  # type: ignore[arg-type]
    assert caught.value.problems[0].field == "attendees"


def test_uihc_site_of_section_7_3() -> None:
    """CD2 "University of Iowa Hospitals & Clinics - 7:45pm": 65 participants -> 7 delegates,
    viability 10; Sanders 48 -> 5.169 -> 5, Warren 15 -> 1.615 -> 2."""
    d = sat(65)
    assert d == 7
    result = compute_precinct(
        IA_2020, PrecinctInput(d, 65, {"Sanders": 48, "Warren": 15, "Buttigieg": 2})
    )
    assert result.threshold == 10
    assert dict(result.delegates) == {"Sanders": 5, "Warren": 2}
