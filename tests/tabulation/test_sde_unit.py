"""SDEs and the tabulation engine on a small synthetic election (rules.md §7.1, §7.3, §8.2)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from caucuskit.core.election import (
    Candidate,
    County,
    Election,
    NationalDelegates,
    Precinct,
    make_election,
)
from caucuskit.core.errors import ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.core.sde import (
    candidate_sdes,
    display_sdes,
    ranked,
    sde_to_delegates,
    site_values,
)
from caucuskit.services.audit import audit
from caucuskit.services.tabulate import satellite_reading_difference, tabulate

NAMES = ("A", "B", "C")


def _election() -> Election:
    return make_election(
        id="toy",
        title="Toy caucus",
        ruleset="ia-2020",
        candidates=tuple(Candidate(n) for n in NAMES),
        counties=(
            County("North", 1, F(4)),
            County("South", 2, F(6)),
            County("CD1 Satellite", 1, F(2), satellite=True),
            County("Out of State Satellite", None, F(1), satellite=True),
        ),
        precincts=(
            Precinct("North", "N1", "N1", 8),
            Precinct("North", "N2", "N2", 2),
            Precinct("South", "S1", "S1", 6),
            Precinct("South", "S2", "S2", 1),
            Precinct("CD1 Satellite", "Site 1", "", None, satellite=True),
            Precinct("CD1 Satellite", "Site 2", "", None, satellite=True),
            Precinct("Out of State Satellite", "Abroad", "", None, satellite=True),
        ),
        national=NationalDelegates({1: 3, 2: 2}, at_large=2, pleo=1),
    )


def _r(
    county: str,
    precinct: str,
    first: dict[str, int],
    final: dict[str, int] | None = None,
    published: dict[str, F] | None = None,
) -> PrecinctReport:
    return PrecinctReport(county, precinct, None, first, final or first, published_sde=published)


def test_precinct_sde_is_delegates_times_ratio() -> None:
    # §7.1 Adair "1NW ADAIR": D = 8, S_c / C_c = 4/51; 2 delegates -> 0.1569
    sde = candidate_sdes({"Klobuchar": 2, "Biden": 1}, 8 * F(4, 51), 8)
    assert sde == {"Klobuchar": F(8, 51), "Biden": F(4, 51)}
    assert f"{float(sde['Klobuchar']):.4f}" == "0.1569"


def test_site_values_split_the_pool() -> None:
    # §7.3: the CD2 pool of 11 over ~943 participants; a 65-person site is worth 0.7582
    values = site_values(F(11), {"UIHC": 65, "rest": 943 - 65})
    assert f"{float(values['UIHC']):.4f}" == "0.7582"
    assert sum(values.values()) == 11
    assert site_values(F(3), {"a": 0}) == {"a": F(0)}


def test_sde_back_to_delegates_with_residue() -> None:
    whole, rest = sde_to_delegates(F("0.1569"), 8 * F(4, 51), 8)
    assert whole == 2
    assert abs(rest) < F(1, 1000)
    # 0.1568 is 1.9992 delegates: the nearest whole number is 2 (truncating would give 1)
    whole, rest = sde_to_delegates(F("0.1568"), 8 * F(4, 51), 8)
    assert (whole, rest) == (2, F("0.1568") * 51 / 4 - 2)
    assert sde_to_delegates(F("0.0784"), 8 * F(4, 51), 8)[0] == 1  # 0.9996 -> 1


def test_zero_delegate_unit_cannot_have_winners() -> None:
    """A unit electing no one (three Lee County precincts in 2020) is worth nothing (§7.1)."""
    assert candidate_sdes({"A": 0}, F(0), 0) == {}
    with pytest.raises(ValidationError, match="delegates won in a unit electing none"):
        candidate_sdes({"A": 1}, F(1), 0)


def test_ranking_and_display_are_exact_and_largest_first() -> None:
    """§7.2: exact inside, rounded half up only for display; ties in SDEs ordered by name."""
    totals = {"A": F("0.0625"), "C": F("2.0005"), "B": F("2.0005")}
    assert ranked(totals) == [("B", F("2.0005")), ("C", F("2.0005")), ("A", F("0.0625"))]
    shown = display_sdes(totals, 3)
    # binary floats would print 2.000 and 0.062 (2.0005 is stored as 2.000499...)
    assert list(shown.items()) == [("B", "2.001"), ("C", "2.001"), ("A", "0.063")]


def test_tabulation_of_a_toy_election() -> None:
    e = _election()
    reports = [
        _r("North", "N1", {"A": 20, "B": 12, "C": 8}),  # 4 / 2.4 / 1.6 -> 4/2/2
        _r("South", "S1", {"A": 10, "B": 10}),  # 3 / 3
        _r("South", "S2", {"B": 3, "C": 2}),  # one delegate: largest group B
        _r("CD1 Satellite", "Site 1", {"A": 10, "B": 10}),  # 20 people: D = 4
        _r("CD1 Satellite", "Site 2", {"C": 30}),  # 30 people: D = 5
        _r("Out of State Satellite", "Abroad", {"C": 5}),
    ]
    t = tabulate(e, reports)
    n1 = F(4, 10)  # North: 4 state delegates over 10 county delegates
    s = F(6, 7)
    assert t.counties["North"] == {"A": 4 * n1, "B": 2 * n1, "C": 2 * n1}
    assert t.counties["South"] == {"A": 3 * s, "B": 4 * s}
    # turnout reading: 20 vs 30 people share 2 SDE
    assert t.counties["CD1 Satellite"] == {"A": F(2, 5), "B": F(2, 5), "C": F(6, 5)}
    assert t.counties["Out of State Satellite"] == {"C": F(1)}
    # out of state counts statewide but in no district (§8.3)
    assert sum(t.statewide.values()) == sum(sum(d.values()) for d in t.districts.values()) + 1
    assert t.reporting.reported == 6 and t.reporting.total == 7
    assert t.reporting.outstanding_sde == 2 * n1  # N2 has not reported
    assert t.turnout == 40 + 20 + 5 + 20 + 30 + 5
    # the delegates reading: 4 vs 5 county delegates share 2 SDE
    d = tabulate(e, reports, satellites="delegates")
    assert d.counties["CD1 Satellite"] == {"A": F(4, 9), "B": F(4, 9), "C": F(10, 9)}
    swing = satellite_reading_difference(e, reports)
    assert swing["C"] == F(6, 5) - F(10, 9)
    assert sum(t.national.total.values()) == e.national.total


def test_published_mode_sums_the_published_sdes() -> None:
    e = _election()
    reports = [_r("North", "N1", {"A": 20, "B": 20}, published={"A": F("1.6"), "B": F("1.6")})]
    t = tabulate(e, reports, published=True)
    assert t.statewide == {"A": F("1.6"), "B": F("1.6")}
    assert t.mode == "published"


def test_pending_toss_is_counted_not_decided() -> None:
    e = _election()
    # D = 2, A 10 B 10 C 10: three viable groups for two delegates, all tied -> toss
    t = tabulate(e, [_r("North", "N2", {"A": 10, "B": 10, "C": 10})])
    u = t.units[0]
    assert u.recount is not None and u.recount.pending is not None
    assert len(u.recount.outcomes) == 3
    assert t.pending_sde == 2 * F(4, 10)
    # with the published split, the toss is taken as recorded there
    pub = {"A": F("0.4"), "C": F("0.4")}
    t2 = tabulate(e, [_r("North", "N2", {"A": 10, "B": 10, "C": 10}, published=pub)])
    assert t2.units[0].sde == {"A": F(2, 5), "C": F(2, 5)}
    assert t2.pending_sde == 0


@pytest.mark.parametrize(
    ("first", "final", "published", "finding"),
    [
        ({"A": 20, "B": 12, "C": 8}, None, {"A": "1.6", "B": "0.8", "C": "0.8"}, "match"),
        # 3 / 1.8 / 1.6 / 1.6 -> 3+2+2+2 = 9; C and D tie at .6 for the one to remove
        (
            {"A": 15, "B": 9, "C": 8, "D": 8},
            None,
            {"A": "1.2", "B": "0.8", "C": "0.8", "D": "0.4"},
            "match-up-to-toss",
        ),
        (
            {"A": 20, "B": 12, "C": 8},
            None,
            {"A": "2.0", "B": "0.8", "C": "0.8"},
            "published-delegates-not-D",
        ),
        # recomputed with N = 40: A5 B2 C1; published 4/2/2 (as if N had been 50)
        (
            {"A": 20, "B": 12, "C": 8},
            {"A": 30, "B": 12, "C": 8},
            {"A": "1.6", "B": "0.8", "C": "0.8"},
            "final-above-first",
        ),
        (
            {"A": 20, "B": 12, "C": 8},
            {"A": 20, "B": 8, "C": 12},
            {"A": "1.2", "B": "0.8", "C": "1.2"},
            "viable-group-shrank",
        ),
        ({"A": 20, "B": 12, "C": 8}, None, {"A": "1.2", "B": "1.2", "C": "0.8"}, "unexplained"),
    ],
)
def test_audit_classes(
    first: dict[str, int], final: dict[str, int] | None, published: dict[str, str], finding: str
) -> None:
    e = _election()
    pub = {c: F(v) for c, v in published.items()}
    report = audit(e, [_r("North", "N1", first, final, pub)])
    f = report.findings[0]
    assert f.finding == finding, f.explanation
    assert report.summary == {finding: 1}
    assert f.to_dict()["finding"] == finding


def test_audit_duplicates_all_zeros_and_one_delegate() -> None:
    e = _election()
    same = {"A": 20, "B": 20}
    pub = {"A": F("1.6"), "B": F("1.6")}
    report = audit(
        e,
        [
            _r("North", "N1", same, published=pub),
            _r("North", "N2", same, published=pub),
            _r("South", "S2", {"A": 3, "B": 4}, published={"A": s_value()}),
            _r("CD1 Satellite", "Site 1", {}, published={}),
        ],
    )
    by = {f.precinct: f for f in report.findings}
    assert "duplicate" in by["N2"].classes and by["N2"].duplicate_of == "N1"
    assert by["S2"].finding == "one-delegate"
    assert "largest final group B (4)" in by["S2"].explanation
    assert by["Site 1"].finding == "all-zeros"


def s_value() -> F:
    return F(6, 7)
