"""2016 from the county-level SDE file (a 99.6% snapshot): rules.md §8.4."""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

from caucuskit.services.results_files import load_county_sde
from caucuskit.services.tabulate import tabulate_county_sde
from conftest import COUNTY_2016, need


def test_2016_national_split() -> None:
    need(COUNTY_2016.is_file(), f"shared data missing: {COUNTY_2016}")
    e, results = load_county_sde("iowa-2016", COUNTY_2016)
    t = tabulate_county_sde(e, results)
    d: dict[str, Any] = t.to_dict()
    # the snapshot's totals, not the caucus-night 700.59 / 696.82
    assert d["statewide"]["Clinton"] == "697.33"
    assert d["statewide"]["Sanders"] == "694.52"
    units = t.national.units
    district = {
        c: sum(units[f"CD{i}"].delegates.get(c, 0) for i in range(1, 5))
        for c in ("Clinton", "Sanders")
    }
    assert district == {"Clinton": 15, "Sanders": 14}
    assert dict(units["at-large"].delegates) == {"Clinton": 5, "Sanders": 4}
    assert dict(units["PLEO"].delegates) == {"Clinton": 3, "Sanders": 3}
    assert dict(t.national.total) == {"Clinton": 23, "Sanders": 21}
    assert t.reporting.counties_reported == 99
    # CD4 is a hair's breadth: quotas 3.001 / 2.999
    assert abs(units["CD4"].quotas["Clinton"] - 3) < F(1, 100)
