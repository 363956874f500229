"""The lean tabulation (issue 11 item 5) equals the unit-by-unit exact recount.

``tabulate`` computes each distinct unit input once (D, N, counts, recorded toss winners),
shares the SDEs of equal splits, and enumerates the outcomes of a pending tie only when they
are asked for (rules.md §5.4, §5.7, §7.1). These tests compare every unit of the real 2020
record with a fresh :func:`recount` of that unit alone, and check that copies of the state add
up exactly.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest

from caucuskit.core.sde import candidate_sdes
from caucuskit.services.results_files import LoadedResults, load_results
from caucuskit.services.tabulate import recount, tabulate
from conftest import RESULTS_100, need


@pytest.fixture(scope="module")
def loaded() -> LoadedResults:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    return load_results("iowa-2020", RESULTS_100)


def test_every_unit_equals_its_own_recount(loaded: LoadedResults) -> None:
    e = loaded.election
    tab = tabulate(e, loaded.reports)
    pending = 0
    for u in tab.units:
        rc = u.recount
        assert rc is not None
        fresh = recount(e.rules, u.delegates, u.report, e.candidate_names)
        assert list(map(dict, rc.outcomes)) == list(map(dict, fresh.outcomes))
        assert (rc.problems, rc.lenient, rc.error) == (fresh.problems, fresh.lenient, fresh.error)
        if rc.toss_source == "published":
            assert fresh.pending is not None and dict(rc.won) in map(dict, fresh.outcomes)
        else:
            assert dict(rc.won) == dict(fresh.won) and rc.pending == fresh.pending
            pending += rc.pending is not None
        want = candidate_sdes(rc.won, u.value, u.delegates) if u.delegates else {}
        assert dict(u.sde) == want
    assert pending > 0  # the record has ties no toss decides: the lazy path is exercised


def test_copies_of_the_state_add_up_exactly(loaded: LoadedResults) -> None:
    e = loaded.election
    # without the published SDEs: a copy is worth a third of the real precinct, so the real
    # published split no longer converts back to delegates
    bare = [dataclasses.replace(r, published_sde=None) for r in loaded.reports]
    one = tabulate(e, bare)
    precincts, reports = [], []
    by_key = {r.key: r for r in bare}
    for k in range(3):
        for p in e.precincts:
            name = f"{p.name} #{k}"
            precincts.append(dataclasses.replace(p, name=name))
            r = by_key.get(p.key)
            if r is not None:
                reports.append(dataclasses.replace(r, precinct=name))
    three = tabulate(dataclasses.replace(e, precincts=tuple(precincts)), reports)
    # three copies of a county share its S_c (each precinct is worth a third), so an ordinary
    # county's SDEs are exactly the same; a satellite pool is shared by three times the sites
    for c in e.counties:
        if not c.satellite:
            assert three.counties.get(c.name) == one.counties.get(c.name), c.name

    def pending(tab: Any) -> Fraction:
        return sum((u.pending_sde for u in tab.units if not u.precinct.satellite), Fraction(0))

    assert pending(three) == pending(one) and pending(one) > 0
    assert sum(three.first_vote.values()) == 3 * sum(one.first_vote.values())
    assert all(isinstance(v, Fraction) for v in three.statewide.values())


def test_outcomes_are_enumerated_only_when_asked(loaded: LoadedResults) -> None:
    e = loaded.election
    tab = tabulate(e, loaded.reports)
    lazy = [
        u.recount
        for u in tab.units
        if u.recount is not None
        and u.recount.pending is not None
        and u.report.published_sde is None
    ]
    for rc in lazy:
        assert rc.enumerated is None
        assert rc.outcomes and rc.enumerated is not None
