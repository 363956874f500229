"""The race-status panel (``race``) of the public state document, on SQLite and PostgreSQL.

Rule: rules.md §7.1, §7.3 (what the outstanding precincts and satellite pools can still
change), §8.2 (national delegates), §5.4 (games of chance); docs/api.md "race".
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from call.service_reports import real_reports, store
from caucuskit.core.report import PrecinctReport
from caucuskit.services.call import race_from_tabulation
from caucuskit.services.tabulate import tabulate
from service.service_support import COUNTIES, Service, mini_election


def state(svc: Service) -> dict[str, Any]:
    r = svc.client.get("/api/v1/public/state")
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def same_as_direct(doc: dict[str, Any], stored: list[PrecinctReport]) -> None:
    """The panel is exactly the call computed straight from the reports that were stored."""
    direct = race_from_tabulation(tabulate(mini_election(), stored))
    race = dict(doc["race"])  # the document adds the headline unit (services/public_units.py)
    assert race.pop("unit") == {"code": "sde", "short": "SDE", "long": "state delegate equivalents"}
    assert race == direct
    sde = {c["name"]: c["sde"] for c in doc["candidates"]}
    for row in doc["race"]["sde"]:
        assert row["current"] == sde.get(row["name"], "0")


def test_race_is_open_with_a_few_reports(service: Service) -> None:
    stored = store(service.ctx, real_reports(COUNTIES), limit=3)
    assert [r.county for r in stored] == ["Adair"] * 3
    doc = state(service)
    race = doc["race"]
    same_as_direct(doc, stored)
    lead = race["lead"]
    assert lead["race"] == "SDE lead" and lead["status"] == "open"
    assert lead["sentence"].startswith("still open: ")
    assert lead["scenario"]["label"].startswith("every outstanding unit to ")
    assert race["open_sde_is_supremum"] is True  # the satellite pool is still open
    units = {u["unit"]: u for u in race["national"]["units"]}
    for name in ("CD3", "CD4", "at-large", "PLEO"):
        assert units[name]["status"] == "open", units[name]
        assert units[name]["scenario"]["split"] != units[name]["current"]
        assert units[name]["sentence"].startswith("still open: if every outstanding unit to ")
    # the four-county election has no county in CD1 or CD2: nothing to allocate there
    assert units["CD1"]["status"] == "decided"
    assert race["national"]["total"]["status"] == "open"
    for row in race["sde"]:  # least <= current <= most, exact strings
        assert Fraction(row["least"]) <= Fraction(row["current"]) <= Fraction(row["most"])


def test_race_after_every_valid_report(service: Service) -> None:
    stored = store(service.ctx, real_reports(COUNTIES))
    # 245 rows; 57 have final alignments the rules refuse (data defects) and stay missing; 5
    # more have a viable group that shrank only by people leaving (accepted, flagged)
    assert len(stored) == 188
    assert sum(1 for r in stored if r.toss_winners) == 5
    doc = state(service)
    same_as_direct(doc, stored)
    race = doc["race"]
    lead = race["lead"]
    assert lead["leader"] == "Sanders" and lead["status"] == "open"
    assert lead["sentence"] == (
        "still open: Buttigieg can still overtake Sanders, behind by 8.325 SDE with 142.803 SDE "
        "still to be decided (12 other candidates could too)"
    )
    assert race["open_sde_display"] == "142.803"
    units = {u["unit"]: u for u in race["national"]["units"]}
    assert units["CD3"]["current"] == {"Buttigieg": 3, "Sanders": 3, "Warren": 2}
    assert units["CD3"]["status"] == "open"
    assert race["national"]["total"]["current"] == {
        "Sanders": 10,
        "Buttigieg": 9,
        "Warren": 7,
        "Klobuchar": 1,
    }
    assert race["national"]["total"]["status"] == "open"
