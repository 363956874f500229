"""D-Math (rules.md §8.2) against the worked numbers of §8.3 and §8.4."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caucuskit.core.errors import ValidationError
from caucuskit.core.national import add_delegates, allocate_unit

# rules.md §8.4: 2016 caucus-night statewide SDEs.
SDE_2016 = {
    "Clinton": F("700.59"),
    "Sanders": F("696.82"),
    "O'Malley": F("7.61"),
    "Uncommitted": F("0.46"),
}


def test_2016_pleo_three_three() -> None:
    a = allocate_unit(SDE_2016, 6, unit="PLEO")
    assert a.qualified == ("Clinton", "Sanders")
    assert dict(a.delegates) == {"Clinton": 3, "Sanders": 3}
    assert f"{float(a.quotas['Clinton']):.3f}" == "3.008"
    assert f"{float(a.quotas['Sanders']):.3f}" == "2.992"


def test_2016_at_large_five_four() -> None:
    a = allocate_unit(SDE_2016, 9, unit="at-large")
    assert dict(a.delegates) == {"Clinton": 5, "Sanders": 4}
    assert f"{float(a.shares['Clinton']) * 100:.4f}" == "50.1349"


# rules.md §8.3: 2020 per unit, shares in percent of the unit's SDE total, rounded as printed.
# Only the qualified candidates' shares matter for the outcome, so the tests give the
# percentages as votes (proportional to SDEs).
UNITS_2020 = [
    (
        "CD1",
        7,
        {
            "Buttigieg": "26.22",
            "Sanders": "25.76",
            "Biden": "17.95",
            "Warren": "16.75",
            "Klobuchar": "11.85",
        },
        {"Buttigieg": 2, "Sanders": 2, "Biden": 2, "Warren": 1},
    ),
    (
        "CD2",
        7,
        {
            "Sanders": "28.43",
            "Buttigieg": "25.75",
            "Warren": "20.09",
            "Biden": "13.32",
            "Klobuchar": "10.64",
        },
        {"Sanders": 3, "Buttigieg": 2, "Warren": 2},
    ),
    (
        "CD3",
        8,
        {"Buttigieg": "26.91", "Sanders": "25.87", "Warren": "19.63", "Biden": "15.20"},
        {"Buttigieg": 3, "Sanders": 2, "Warren": 2, "Biden": 1},
    ),
    (
        "CD4",
        5,
        {
            "Buttigieg": "25.80",
            "Sanders": "24.04",
            "Biden": "17.30",
            "Klobuchar": "16.09",
            "Warren": "14.36",
        },
        {"Buttigieg": 2, "Sanders": 1, "Biden": 1, "Klobuchar": 1},
    ),
    (
        "PLEO",
        5,
        {"Buttigieg": "26.20", "Sanders": "26.13", "Warren": "17.98", "Biden": "15.85"},
        {"Buttigieg": 2, "Sanders": 1, "Warren": 1, "Biden": 1},
    ),
    (
        "at-large",
        9,
        {"Buttigieg": "26.20", "Sanders": "26.13", "Warren": "17.98", "Biden": "15.85"},
        {"Buttigieg": 3, "Sanders": 3, "Warren": 2, "Biden": 1},
    ),
]


@pytest.mark.parametrize(
    ("unit", "seats", "pct", "expected"), UNITS_2020, ids=[u[0] for u in UNITS_2020]
)
def test_2020_units(unit: str, seats: int, pct: dict[str, str], expected: dict[str, int]) -> None:
    votes = {c: F(v) for c, v in pct.items()}
    # fill to 100% with a small candidate so the 15% threshold is taken of the whole unit
    votes["Others"] = F(100) - sum(votes.values())
    a = allocate_unit(votes, seats, unit=unit)
    assert dict(a.delegates) == expected
    assert a.pending_lot is None


def test_2020_total_is_14_12_8_6_1() -> None:
    allocations = []
    for unit, seats, pct, _ in UNITS_2020:
        votes = {c: F(v) for c, v in pct.items()}
        votes["Others"] = F(100) - sum(votes.values())
        allocations.append(allocate_unit(votes, seats, unit=unit))
    # most delegates first (dict equality alone would ignore the order)
    assert list(add_delegates(allocations).items()) == [
        ("Buttigieg", 14),
        ("Sanders", 12),
        ("Warren", 8),
        ("Biden", 6),
        ("Klobuchar", 1),
    ]


def test_threshold_is_inclusive_at_15_percent() -> None:
    a = allocate_unit({"A": F(85), "B": F(15)}, 4)
    assert a.qualified == ("A", "B")
    b = allocate_unit({"A": F(8501), "B": F(1499)}, 4)
    assert b.qualified == ("A",)
    assert dict(b.delegates) == {"A": 4}


def test_half_of_leader_fallback() -> None:
    votes = {c: F(v) for c, v in {"A": 14, "B": 13, "C": 7, "D": 6}.items()}
    votes.update({f"x{i}": F(6) for i in range(10)})  # total 100; nobody reaches 15%
    a = allocate_unit(votes, 5)
    assert a.threshold_rule == "half-of-leader"
    assert a.threshold == F(7, 100)
    assert a.qualified == ("A", "B", "C")
    assert dict(a.delegates) == {"A": 2, "B": 2, "C": 1}


def test_exact_tie_for_last_seat_is_reported_not_decided() -> None:
    a = allocate_unit({"A": F(1), "B": F(1)}, 3)
    assert dict(a.delegates) == {"A": 1, "B": 1}
    assert a.pending_lot is not None
    assert a.pending_lot.candidates == ("A", "B")
    assert a.pending_lot.seats == 1
    decided = allocate_unit({"A": F(1), "B": F(1)}, 3, lot_winners=("B",))
    assert dict(decided.delegates) == {"A": 1, "B": 2}
    assert decided.pending_lot is None


def test_tie_that_fits_the_seats_left_is_no_lot() -> None:
    a = allocate_unit({"A": F(1), "B": F(1)}, 4)
    assert dict(a.delegates) == {"A": 2, "B": 2}


def test_three_decimal_shares_option() -> None:
    # Exact shares 0.50135 / 0.49865 x 9 seats; three decimals: 0.501 / 0.499.
    exact = allocate_unit(SDE_2016, 9)
    rounded = allocate_unit(SDE_2016, 9, share_places=3)
    assert rounded.shares["Clinton"] == F(501, 1000)
    assert rounded.shares["Sanders"] == F(499, 1000)  # 0.49865 rounds half up, not down to .498
    assert dict(exact.delegates) == dict(rounded.delegates) == {"Clinton": 5, "Sanders": 4}


def test_rejects_floats_and_negatives() -> None:
    with pytest.raises(ValidationError, match=r"votes\.A"):
        allocate_unit({"A": 1.5}, 3)  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match=r"votes\.B"):
        allocate_unit({"A": F(1), "B": F(-1)}, 3)
    with pytest.raises(ValidationError, match="seats"):
        allocate_unit({"A": F(1)}, -1)


@settings(deadline=None)
@given(
    st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 10_000), min_size=1),
    st.integers(1, 60),
)
def test_all_seats_allocated_unless_lot(votes: dict[str, int], seats: int) -> None:
    a = allocate_unit({c: F(v) for c, v in votes.items()}, seats)
    if sum(votes.values()) == 0:
        assert a.awarded == 0
        return
    pending = a.pending_lot.seats if a.pending_lot else 0
    assert a.awarded + pending == seats
    assert set(a.delegates) <= set(a.qualified)
    for c, n in a.delegates.items():
        assert abs(a.quotas[c] - n) < 1
