"""The 2016 race call from county SDEs and the statewide total (issue 16 item 5).

Rule: rules.md §7.2, §8.1, §8.2, §8.4. The shared 2016 file has 1,399.80 of the 1,406 state
delegates; its counties are known, the counties of the missing 6.20 are not.
"""

from __future__ import annotations

import json
from fractions import Fraction

from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.services.call_county import call_county_sde
from caucuskit.services.results_files import load_county_sde
from conftest import IOWA_2016

FILE = IOWA_2016 / "results" / "kaggle_primary_results_iowa_dem_county.csv"


def test_2016_verdict_on_the_shared_file() -> None:
    e, results = load_county_sde("iowa-2016", FILE)
    cc = call_county_sde(e, results.sde, Fraction(1406))
    assert cc.reported == Fraction(139980, 100) and cc.outstanding == Fraction(620, 100)
    # Clinton 697.33, Sanders 694.52: a 2.81 lead with 6.20 still to come is not decided.
    assert cc.call.lead.leader == "Clinton" and not cc.call.lead.decided
    pair = cc.call.lead.pairs[0]
    assert pair.trailer == "Sanders" and pair.can_overtake
    units = {u.unit: u for u in cc.call.national.units}
    assert units["PLEO"].status == "decided" and units["PLEO"].current == {
        "Clinton": 3,
        "Sanders": 3,
    }
    assert units["at-large"].status == "open"
    assert units["at-large"].current == {"Clinton": 5, "Sanders": 4}
    assert units["at-large"].witness_split == {"Clinton": 4, "Sanders": 5}
    # Every district split survives even all 6.20 SDEs placed in it: 15 Clinton, 14 Sanders.
    assert all(d.decided for d in cc.districts)
    assert sum(d.current.get("Clinton", 0) for d in cc.districts) == 15
    assert sum(d.current.get("Sanders", 0) for d in cc.districts) == 14


def test_a_district_that_cannot_be_judged_says_so() -> None:
    """With a much larger unknown remainder the districts are not judgeable, never "open"."""
    e, results = load_county_sde("iowa-2016", FILE)
    cc = call_county_sde(e, results.sde, Fraction(1606))
    assert any(not d.decided for d in cc.districts)
    for d in cc.districts:
        if not d.decided:
            assert d.reason.startswith("cannot be judged without county totals")


def test_cli_call_county_results_text_and_json() -> None:
    runner = CliRunner()
    args = ["call", "--election", "iowa-2016", "--county-results", str(FILE)]
    res = runner.invoke(build(), [*args, "--state-delegates", "1406"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "1399.80 of 1406.00 SDEs in; 6.20 SDE still to be decided" in text
    assert "{" not in res.output and "(sup)" not in res.output
    res = runner.invoke(build(), [*args, "--state-delegates", "1406", "--json"])
    doc = json.loads(res.output)
    assert doc["outstanding"] == "6.20"
    assert {u["unit"]: u["status"] for u in doc["units"]} == {
        "CD1": "decided",
        "CD2": "decided",
        "CD3": "decided",
        "CD4": "decided",
        "at-large": "open",
        "PLEO": "decided",
    }
    res = runner.invoke(build(), args)
    assert res.exit_code == 2 and "--state-delegates is needed" in res.output
    res = runner.invoke(build(), [*args, "--state-delegates", "many"])
    assert res.exit_code == 2 and "not a number" in res.output
