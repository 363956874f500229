"""The chair's phone computes delegates with exactly the server's rules.

``web/static/caucus-math.js`` (a plain-JS port of the core) is run in headless Chromium on
hundreds of random precincts (every ruleset and option, ties with and without recorded
outcomes, invalid inputs) and must give the same ``PrecinctResult.to_dict()`` — delegates and
every worksheet record: its kind, group and numbers (raw share, rounded, decimal, what was
added or removed, which tie and how it was settled), and the words rendered from them — or the
same validation problems as ``caucuskit.core.compute_precinct``.
Rule: rules.md §3, §4, §5 (via the core).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from caucuskit.core import RULESETS, PrecinctInput, ValidationError, compute_precinct
from caucuskit.core.rules import OneDelegateRule, OvershootTies, RuleSet

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "caucuskit" / "web" / "static"
MATH_JS = STATIC / "caucus-math.js"
GROUPS = ("Biden", "Buttigieg", "Klobuchar", "Sanders", "Warren", "Yang", "Uncommitted", "Émile")
CASES = 800


def _rules(rng: random.Random) -> RuleSet:
    rules = rng.choice(sorted(RULESETS.values(), key=lambda r: r.name))
    if rng.random() < 0.2:
        rules = rules.with_options(overshoot_ties=OvershootTies.ALL_REALIGN)
    if rng.random() < 0.1:
        rules = rules.with_options(one_delegate=OneDelegateRule.STRICT_MAJORITY)
    if rng.random() < 0.1:
        rules = rules.with_options(
            first_viability_sticks=True, protect_only_delegate=rng.random() < 0.5
        )
    return rules


def _counts(rng: random.Random, groups: list[str], n: int) -> dict[str, int]:
    if rng.random() < 0.35:  # equal groups: ties at every step
        size = rng.randint(1, max(1, n // max(1, len(groups))))
        return dict.fromkeys(groups, size)
    out, left = {}, n
    for g in groups:
        if rng.random() < 0.5:
            k = rng.randint(0, max(0, left))
        else:
            k = rng.randint(0, max(1, n // len(groups)))
        out[g] = k
        left -= k
    return out


def _input(rules: RuleSet, raw: dict[str, Any]) -> PrecinctInput:
    return PrecinctInput(
        delegates=raw["delegates"],
        attendees=raw["attendees"],
        final=raw["final"],
        first=raw["first"],
        toss_winners=tuple(raw["toss_winners"]),
    )


def _case(rng: random.Random) -> dict[str, Any]:
    rules = _rules(rng)
    groups = rng.sample(GROUPS, rng.randint(1, 7))
    d = rng.choice([0, 1, 1, 2, 3, 4, 5, 6, 8, 10, rng.randint(2, 40)])
    first = _counts(rng, groups, rng.randint(1, 200))
    n = sum(first.values()) + (rng.randint(0, 5) if rng.random() < 0.5 else 0)
    n = max(n, 1)
    final = dict(first)
    if rng.random() < 0.7:  # realign some groups
        for g in groups:
            if rng.random() < 0.3:
                moved, final[g] = final[g], 0
                final[rng.choice(groups)] += rng.randint(0, moved)
    if rng.random() < 0.04:
        final[groups[0]] = -1
    raw: dict[str, Any] = {
        "delegates": d,
        "attendees": n,
        "final": final,
        "first": first if rng.random() < 0.85 else None,
        "toss_winners": [],
    }
    for _ in range(4):  # record outcomes for some of the ties that arise
        try:
            result = compute_precinct(rules, _input(rules, raw))
        except ValidationError:
            break
        tie = result.pending_tie
        if tie is None or rng.random() < 0.4:
            break
        picks = rng.sample(list(tie.groups), tie.winners_needed)
        if rng.random() < 0.03:
            picks = ["Nobody"]  # a wrong outcome: must be refused the same way
        raw["toss_winners"] += picks
    try:
        result = compute_precinct(rules, _input(rules, raw), frozenset(GROUPS))
        expected: dict[str, Any] = {"ok": True, "result": result.to_dict()}
    except ValidationError as exc:
        expected = {"ok": False, "problems": exc.as_dicts()}
    return {"rules": rules.describe(), "input": raw, "expected": expected}


def test_js_port_matches_the_python_core(browser: Any) -> None:
    rng = random.Random(20200203)
    cases = [_case(rng) for _ in range(CASES)]
    tied = sum(1 for c in cases if c["expected"].get("result", {}).get("ties"))
    pending = sum(1 for c in cases if c["expected"].get("result", {}).get("pending_tie"))
    refused = sum(1 for c in cases if not c["expected"]["ok"])
    assert tied >= 15 and pending >= 15 and refused >= 15, (tied, pending, refused)
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>math</title>")
        page.add_script_tag(path=str(MATH_JS))
        got = page.evaluate(
            """([cases, known]) => cases.map(c => CaucusMath.compute(c.rules, c.input, known))""",
            [[{"rules": c["rules"], "input": c["input"]} for c in cases], list(GROUPS)],
        )
    finally:
        page.close()
    records = [s for c in cases for s in c["expected"].get("result", {}).get("log", [])]
    assert {s["kind"] for s in records} >= {
        "threshold",
        "viable",
        "round",
        "total",
        "add",
        "remove",
        "zero",
        "tie",
        "toss",
        "award",
        "note",
    }
    mismatches = [
        (i, cases[i]["input"], cases[i]["rules"]["name"])
        for i, (case, out) in enumerate(zip(cases, got, strict=True))
        if json.dumps(out, sort_keys=True) != json.dumps(case["expected"], sort_keys=True)
    ]
    assert not mismatches, f"{len(mismatches)} of {CASES} differ, first: {mismatches[:3]}"
    # The records alone (without the words) agree too: the words are a function of the data.
    for case, out in zip(cases, got, strict=True):
        if case["expected"]["ok"]:
            ours = [{k: v for k, v in s.items() if k != "text"} for s in out["result"]["log"]]
            theirs = [
                {k: v for k, v in s.items() if k != "text"}
                for s in case["expected"]["result"]["log"]
            ]
            assert ours == theirs
