"""The chair's phone works out a Nevada precinct offline exactly as the server does.

``CaucusMath.computeNevada`` (web/static/caucus-math.js) must give the same
``NevadaResult.to_dict()`` as :func:`caucuskit.core.nevada.compute_nevada` — the early tally
(valid, void and why, first and final early votes, gained, lost, exhausted, checksum), every
worksheet record in order (the early records, the precinct's own, the card draws), the draws
with the winners read off the cards, and the in-person counts — or the same validation
problems, on hundreds of random Nevada precincts in headless Chromium: early ballots of every
length (void ones, repeats), every early-ballot option (rules.md §11 Q9), card draws recorded
for the ties that arise (and wrong ones: a card twice, a card that is no card, the wrong
groups, a draw with no tie left), and read-back checksums right and wrong.
Rule: rules.md §4 NV, §5.2-§5.4, §5.7 step 5, §11 Q9; docs/adr/0011.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from caucuskit.core import RULESETS, ValidationError
from caucuskit.core.cards import CardDraw, card_draw
from caucuskit.core.early import EarlyBallot, early_checksum
from caucuskit.core.nevada import NevadaInput, compute_nevada
from caucuskit.core.rules import EarlyDuplicates, EarlyRealign, RuleSet

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "caucuskit" / "web" / "static"
MATH_JS = STATIC / "caucus-math.js"
GROUPS = ("Biden", "Buttigieg", "Klobuchar", "Sanders", "Steyer", "Warren", "Émile")
RANKS = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "A")
SUITS = ("S", "H", "D", "C")
CASES = 600


def _rules(rng: random.Random) -> RuleSet:
    rules = RULESETS["nv-2020"]
    if rng.random() < 0.05:
        return RULESETS["ia-2020"]  # card draws and early ballots refused
    changes: dict[str, Any] = {}
    if rng.random() < 0.25:
        changes["early_duplicates"] = rng.choice(list(EarlyDuplicates))
    if rng.random() < 0.25:
        changes["early_realign"] = EarlyRealign.AFTER_FIRST
    if rng.random() < 0.1:
        changes["early_min_choices"] = rng.randint(1, 4)
        changes["early_max_choices"] = rng.randint(2, 6)
    return rules.with_options(**changes) if changes else rules


def _ballots(rng: random.Random, groups: list[str]) -> list[list[str]]:
    out = []
    for _ in range(rng.choice([0, 1, 3, 5, rng.randint(0, 40)])):
        length = rng.choice([1, 2, 3, 3, 4, 5, 5, 6])
        favourites = groups[: rng.randint(1, len(groups))]
        out.append([rng.choice(favourites) for _ in range(length)])
    return out


def _counts(rng: random.Random, groups: list[str], n: int) -> dict[str, int]:
    if rng.random() < 0.35:  # equal groups: ties at every step
        return dict.fromkeys(groups, rng.randint(1, max(1, n // len(groups))))
    out, left = {}, n
    for g in groups:
        out[g] = rng.randint(0, max(0, left)) if rng.random() < 0.5 else rng.randint(0, n // 3 + 1)
        left -= out[g]
    return out


def _cards(rng: random.Random, groups: list[str]) -> dict[str, str]:
    deck = rng.sample([r + s for r in RANKS for s in SUITS], len(groups))
    cards = dict(zip(groups, deck, strict=True))
    if rng.random() < 0.03:
        cards[groups[-1]] = cards[groups[0]]  # one deck: refused
    if rng.random() < 0.02:
        cards[groups[0]] = "11X"  # no such card
    if rng.random() < 0.3:
        cards = {g: _spelled(rng, c) for g, c in cards.items()}
    return cards


def _spelled(rng: random.Random, card: str) -> str:
    words = {"S": "spades", "H": "hearts", "D": "diamonds", "C": "clubs"}
    symbols = {"S": "♠", "H": "♥", "D": "♦", "C": "♣"}
    rank, suit = card[:-1], card[-1:]
    if suit not in words:
        return card
    return rng.choice([f"{rank} of {words[suit]}", f"{rank}{symbols[suit]}", card.lower()])


def _compute(rules: RuleSet, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        draws: list[CardDraw] = [
            card_draw(d["cards"], d["witnesses"], field=f"card_draws[{i}]")
            for i, d in enumerate(raw["card_draws"])
        ]
        data = NevadaInput(
            delegates=raw["delegates"],
            attendees=raw["attendees"],
            final=raw["final"],
            first=raw["first"],
            early=tuple(EarlyBallot(tuple(b)) for b in raw["early"]),
            card_draws=tuple(draws),
            confirmed=None if raw["confirmed"] is None else tuple(raw["confirmed"]),
        )
        got = compute_nevada(rules, data, frozenset(GROUPS))
    except ValidationError as exc:
        return {"ok": False, "problems": exc.as_dicts()}
    return {"ok": True, "result": got.to_dict()}


def _case(rng: random.Random) -> dict[str, Any]:
    rules = _rules(rng)
    groups = rng.sample(GROUPS, rng.randint(1, 6))
    d = rng.choice([0, 1, 1, 2, 3, 4, 5, 6, 7, 10, rng.randint(2, 30)])
    first = _counts(rng, groups, rng.randint(1, 150))
    n = max(1, sum(first.values()) + (rng.randint(0, 4) if rng.random() < 0.4 else 0))
    final = dict(first)
    if rng.random() < 0.6:
        for g in groups:
            if rng.random() < 0.3:
                moved, final[g] = final[g], 0
                final[rng.choice(groups)] += rng.randint(0, moved)
    early = _ballots(rng, groups) if rules.early_voting or rng.random() < 0.5 else []
    raw: dict[str, Any] = {
        "delegates": d,
        "attendees": n,
        "first": first if rng.random() < 0.9 else None,
        "final": final,
        "early": early,
        "card_draws": [],
        "confirmed": None,
        "toss_winners": [],
    }
    if rng.random() < 0.2:
        checksum = early_checksum(tuple(EarlyBallot(tuple(b)) for b in early))
        raw["confirmed"] = [len(early) + (rng.random() < 0.3), checksum.upper()]
        if rng.random() < 0.3:
            raw["confirmed"][1] = "0000-0000-0000"
    for _ in range(4):  # record card draws for some of the ties that arise
        got = _compute(rules, raw)
        tie = got.get("result", {}).get("pending_tie")
        if tie is None or rng.random() < 0.3:
            break
        tied = list(tie["groups"])
        if rng.random() < 0.03:
            tied = tied[:-1] or list(GROUPS[:2])  # cards for the wrong groups
        witnesses = rng.sample(["Pat Doe", "Lee Roe", "Sam Poe"], rng.randint(0, 2))
        raw["card_draws"].append({"cards": _cards(rng, tied), "witnesses": witnesses})
    if rng.random() < 0.03:  # a draw with no tie left to settle
        raw["card_draws"].append({"cards": _cards(rng, list(groups)), "witnesses": []})
    return {"rules": rules.describe(), "input": raw, "expected": _compute(rules, raw)}


def test_js_nevada_port_matches_the_python_core(browser: Any) -> None:
    rng = random.Random(20200222)
    cases = [_case(rng) for _ in range(CASES)]
    results = [c["expected"]["result"] for c in cases if c["expected"]["ok"]]
    drawn = sum(1 for r in results if r["card_draws"])
    pending = sum(1 for r in results if r["pending_tie"])
    moved = sum(1 for r in results if r["early"]["lost"])
    exhausted = sum(1 for r in results if r["early"]["exhausted"])
    voided = sum(1 for r in results if r["early"]["void"])
    extra = sum(1 for r in results if r["awarded"] > r["delegates_to_elect"])
    refused = len(cases) - len(results)
    assert min(drawn, pending, moved, exhausted, voided, extra, refused) >= 10, (
        drawn,
        pending,
        moved,
        exhausted,
        voided,
        extra,
        refused,
    )
    kinds = {s["kind"] for r in results for s in r["log"]}
    assert kinds >= {
        "early-count", "early-void", "early-first", "early-targets", "early-lost",
        "early-gained", "early-exhausted", "draw",
    }  # fmt: skip
    problems = {p["field"].split(".")[0] for c in cases if not c["expected"]["ok"]
                for p in c["expected"]["problems"]}  # fmt: skip
    assert {"card_draws[0]", "early_checksum"} <= problems, problems
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>math</title>")
        page.add_script_tag(path=str(MATH_JS))
        got = page.evaluate(
            "([cases, known]) => cases.map(c => CaucusMath.computeNevada(c.rules, c.input, known))",
            [[{"rules": c["rules"], "input": c["input"]} for c in cases], list(GROUPS)],
        )
    finally:
        page.close()
    mismatches = [
        (i, cases[i]["input"], cases[i]["rules"]["name"], out)
        for i, (case, out) in enumerate(zip(cases, got, strict=True))
        if json.dumps(out, sort_keys=True) != json.dumps(case["expected"], sort_keys=True)
    ]
    assert not mismatches, f"{len(mismatches)} of {CASES} differ, first: {mismatches[:1]}"


def test_js_checksum_matches_on_text_beyond_ascii(browser: Any) -> None:
    """The checksum a chair reads back is the server's, for names with accents and for many
    ballots (the hand-written SHA-256 crosses several 64-byte blocks)."""
    sets = [
        [],
        [["Émile", "Biden", "Warren"]],
        [["Sanders", "Warren", "Biden"]] * 3 + [["Biden"]],
        [[g for g in random.Random(i).sample(GROUPS, 5)] for i in range(200)],
    ]
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>math</title>")
        page.add_script_tag(path=str(MATH_JS))
        got = page.evaluate("sets => sets.map(s => CaucusMath.earlyChecksum(s))", sets)
    finally:
        page.close()
    assert got == [early_checksum(tuple(EarlyBallot(tuple(b)) for b in s)) for s in sets]
