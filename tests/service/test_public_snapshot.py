"""Snapshot tests: the public documents of a tiny election, pinned byte for byte and typed.

The election is Adair County (5 precincts) and three sites of the CD3 satellite pool, with
their real 2020 apportionment (rules.md §7.1, §7.3). Three reports (one with a coin toss, one
satellite site) and a recanvass are entered on a fixed clock, then ``state.json``, a county, a
district, two precinct documents, ``coin-tosses.json`` and ``changes.json`` are compared with
the files in ``tests/service/snapshots/tiny/``, and each is validated (strictly, with pydantic)
against its ``TypedDict`` in :mod:`caucuskit.services.public_types`.

When a change to the documents is intended, regenerate the files and review the diff::

    CAUCUS_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest -q tests/service/test_public_snapshot.py
    git diff tests/service/snapshots
"""

from __future__ import annotations

import json
import os
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from caucuskit.services.context import Context
from caucuskit.services.public_feed import PublicFeed
from caucuskit.services.public_types import PrecinctDocument, ScopeDocument
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.services.snapshot import encode
from caucuskit.services.submit import ReportInput, Toss
from conftest import part_of_election
from service.public_support import complete, submit
from service.service_support import ADAIR_1NW

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "tiny"
UPDATE = os.environ.get("CAUCUS_UPDATE_SNAPSHOTS") == "1"
SITES = (
    "Des Moines, IA - Drake University Field House",
    "Des Moines, IA - Karen Baptist Church",
    "Clive, IA - Walnut Ridge Senior Living",
)
PINNED = (
    "state",
    "districts/3",
    "counties/adair",
    "counties/cd3-satellite",
    "precincts/adair--1nw-adair",
    "precincts/adair--2ne-stuart",
    "coin-tosses",
    "changes",
    "election",
    "version",
)


class Clock:
    """2020-02-03 19:00 UTC, one minute further on each call (deterministic timestamps)."""

    def __init__(self) -> None:
        self.at = datetime(2020, 2, 4, 1, 0, 0)

    def __call__(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


def tiny_context(url: str) -> Context:
    election = part_of_election(
        "iowa-2020",
        ("Adair", "CD3 Satellite"),
        id="iowa-2020-tiny",
        title="Iowa 2020 (Adair and three satellite sites)",
        keep=lambda p: p.county == "Adair" or p.name in SITES,
    )
    ctx = Context(Settings.from_env(database_url=url), clock=Clock())
    init_database(ctx.db, election)
    return ctx


def _report(
    ctx: Context, pid: str, attendees: int, first: dict[str, int], final: dict[str, int]
) -> ReportInput:
    rep = complete(ctx, ctx.by_id[pid], ReportInput(attendees, first, final), random.Random(7))
    assert rep is not None, pid
    return rep


def tiny_documents(tmp_path: Path) -> dict[str, Any]:
    ctx = tiny_context(str(tmp_path / "tiny.sqlite"))
    adair = ReportInput(
        ADAIR_1NW["attendees"],
        ADAIR_1NW["first"],
        ADAIR_1NW["final"],
        (Toss("Klobuchar", ("Biden captain", "Sanders captain")),),
    )
    assert submit(ctx, ctx.by_id["adair--1nw-adair"], adair) == "accepted"
    stuart = _report(
        ctx,
        "adair--2ne-stuart",
        52,
        {"Biden": 11, "Buttigieg": 16, "Sanders": 12, "Warren": 9, "Yang": 4},
        {"Biden": 13, "Buttigieg": 18, "Sanders": 12, "Warren": 9},
    )
    assert submit(ctx, ctx.by_id["adair--2ne-stuart"], stuart) == "accepted"
    site = next(p for p in ctx.precincts if p.name == SITES[0])
    drake = _report(ctx, site.id, 30, {"Sanders": 19, "Warren": 11}, {"Sanders": 19, "Warren": 11})
    assert submit(ctx, site, drake) == "accepted"
    recanvass = _report(
        ctx,
        "adair--2ne-stuart",
        52,
        dict(stuart.first),
        {"Biden": 11, "Buttigieg": 20, "Sanders": 12, "Warren": 9},
    )
    assert submit(ctx, ctx.by_id["adair--2ne-stuart"], recanvass, "recanvass") == "accepted"
    built = PublicFeed(ctx).current()
    docs = {path: json.loads(built.entries[path].body) for path in PINNED}
    ctx.db.dispose()
    return docs


def test_tiny_election_documents_match_their_snapshots(tmp_path: Path) -> None:
    docs = tiny_documents(tmp_path)
    scopes = TypeAdapter(ScopeDocument)
    precincts = TypeAdapter(PrecinctDocument)
    for path in ("state", "districts/3", "counties/adair", "counties/cd3-satellite"):
        scopes.validate_python(docs[path], strict=True)
    for path in ("precincts/adair--1nw-adair", "precincts/adair--2ne-stuart"):
        precincts.validate_python(docs[path], strict=True)
    state = docs["state"]
    assert state["precincts"] == {"total": 8, "reporting": 3, "percent_display": "37.5"}
    # a recanvass at partial reporting does not make the state "corrected" (issue 12): the change
    # log lists it
    assert state["status"] == "unofficial-partial"
    assert docs["changes"]["changes"][0]["kind"] == "recanvass"
    assert docs["coin-tosses"]["tosses"][0]["winners"] == ["Klobuchar"]
    mismatched = []
    for path, doc in docs.items():
        file = SNAPSHOTS / f"{path}.json"
        text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        if UPDATE:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
            continue
        if not file.exists() or file.read_text(encoding="utf-8") != text:
            mismatched.append(path)
    assert not mismatched, (
        f"public documents differ from tests/service/snapshots/tiny: {mismatched}; if intended, "
        "regenerate with CAUCUS_UPDATE_SNAPSHOTS=1 (see this module's docstring)"
    )


@pytest.mark.parametrize("path", ["state", "precincts/adair--1nw-adair"])
def test_served_bytes_are_the_canonical_encoding(tmp_path: Path, path: str) -> None:
    docs = tiny_documents(tmp_path)
    assert encode(docs[path]) == encode(json.loads(encode(docs[path])))


def _keys(doc: Any) -> set[str]:
    """Every key of every mapping in ``doc`` but inside the worksheet (the core's record)."""
    if isinstance(doc, dict):
        keep = ("worksheet",)
        return {k for k, v in doc.items() for k in ({k} | (set() if k in keep else _keys(v)))}
    if isinstance(doc, list):
        return {k for v in doc for k in _keys(v)}
    return set()


def test_nevada_documents_name_their_values_for_ccds(tmp_path: Path) -> None:
    """A Nevada election's documents count county convention delegates: ``ccd`` keys and a
    ``unit`` saying so, no ``sde`` key anywhere (services/public_units.py, docs/adr/0011); an
    early ballot and a card draw show in the precinct and on the list of ties."""
    from caucuskit.services.early_ballots import early_summary, load_early_file

    election = part_of_election(
        "nevada-2020",
        ["Carson City"],
        id="nevada-2020-carson",
        title="Nevada 2020 (Carson City)",
        unit="ccd",
    )
    ctx = Context(Settings.from_env(database_url=str(tmp_path / "nv.sqlite")), clock=Clock())
    init_database(ctx.db, election)
    early = tmp_path / "early.csv"
    early.write_text(
        "county,precinct,choice1,choice2,choice3\n"
        "Carson City,105,Buttigieg,Sanders,Warren\n"
        "Carson City,105,Warren,Sanders,Buttigieg\n"
        "Carson City,105,Sanders,Sanders,\n",  # void: two choices
        encoding="utf-8",
    )
    load_early_file(ctx, early)
    counts = {"Warren": 99, "Sanders": 50, "Buttigieg": 49}
    draw = Toss("", ("Pat Doe",), (("Buttigieg", "QS"), ("Sanders", "QH")))
    p = ctx.by_id["carson-city--105"]
    summary = early_summary(ctx, p)
    assert summary is not None
    confirmed = (int(str(summary["count"])), str(summary["checksum"]))
    rep = ReportInput(198, counts, counts, (draw,), early_confirmed=confirmed)
    assert submit(ctx, p, rep) == "accepted"
    built = PublicFeed(ctx).current()
    docs = {path: json.loads(e.body) for path, e in built.entries.items()}
    ctx.db.dispose()
    unit = {"code": "ccd", "short": "CCD", "long": "county convention delegates"}
    for path in ("state", "counties/carson-city", "precincts/carson-city--105", "changes"):
        assert docs[path]["unit"] == unit, path
    assert docs["election"]["unit"] == unit
    everywhere = set().union(*(_keys(d) for d in docs.values()))
    assert not {k for k in everywhere if k.startswith("sde") and k != "sde_places_precinct"
                and k != "sde_places_total"}, sorted(everywhere)  # fmt: skip
    precinct = docs["precincts/carson-city--105"]
    ccd = {c["name"]: c["ccd"] for c in precinct["candidates"]}
    # D = 6 on N = 198 + 2 valid early ballots; the queen of spades beats the queen of hearts
    assert (
        precinct["worksheet"]["early"]["valid"] == 2 and precinct["worksheet"]["attendees"] == 200
    )
    assert ccd == {"Warren": "3", "Buttigieg": "2", "Sanders": "1"} | {
        c: "0" for c in ccd if c not in ("Warren", "Buttigieg", "Sanders")
    }
    state = {r["name"]: r for r in docs["state"]["candidates"]}
    assert state["Buttigieg"]["ccd_display"] == "2.000" and "sde" not in state["Buttigieg"]
    county = docs["counties/carson-city"]
    assert county["ccd"]["total"] == "6"
    child = next(c for c in county["children"] if c["id"] == "carson-city--105")
    assert child["ccd_display"] == {"Buttigieg": "2.0000", "Sanders": "1.0000", "Warren": "3.0000"}
    race = docs["state"]["race"]  # the race panel: ccd keys by word, CCD in its sentences
    assert race["unit"] == unit and {"open_ccd", "open_ccd_display", "ccd"} <= set(race)
    assert "SDE" not in json.dumps(race) and race["lead"]["race"] == "CCD lead"
    assert {r["name"] for r in race["ccd"]} >= {"Warren", "Buttigieg", "Sanders"}
    # the pages read it under their one vocabulary and word it in CCDs
    from caucuskit.web.pages.publicview import outstanding
    from caucuskit.web.pages.race_panel import race_view
    from caucuskit.web.pages.source import read_as_sde

    page = read_as_sde(docs["state"])
    view = race_view(page, "CCD")
    assert view is not None and view["lead"]["title"] == "CCD lead"
    assert view["open_sde_display"] == race["open_ccd_display"] != ""
    assert {r["name"]: r["now"] for r in view["sde"]} == {
        r["name"]: r["current_display"] for r in race["ccd"]
    }
    assert outstanding(page, page["race"])["display"] == race["open_ccd_display"]
    (tie,) = docs["coin-tosses"]["tosses"]
    assert tie["method"] == "card draw" and tie["winners"] == ["Buttigieg"]
    assert tie["cards"] == {"Buttigieg": "QS", "Sanders": "QH"} and tie["witnesses"] == ["Pat Doe"]


def test_nevada_precinct_document_lets_anyone_rederive_the_ccds(tmp_path: Path) -> None:
    """The public precinct document alone re-derives a Nevada precinct's CCDs: its in-person
    head counts plus the early votes per group (first and final) are the group sizes the
    allocation ran on, with N and the card-draw winners beside them (rules.md §4 NV column,
    §5.7, §9; docs/adr/0011). Early ballots here move (a non-viable first choice) and one
    is exhausted, so in-person counts alone would not give the result."""
    from caucuskit.core.model import PrecinctInput
    from caucuskit.core.precinct import compute_precinct
    from caucuskit.services.early_ballots import early_summary, load_early_file
    from caucuskit.services.public_units import unit_keys

    election = part_of_election(
        "nevada-2020", ["Carson City"], id="nevada-2020-carson", title="Carson City", unit="ccd"
    )
    ctx = Context(Settings.from_env(database_url=str(tmp_path / "nv.sqlite")), clock=Clock())
    init_database(ctx.db, election)
    early = tmp_path / "early.csv"
    early.write_text(
        "county,precinct,choice1,choice2,choice3\n"
        "Carson City,107,Biden,Warren,Sanders\n"  # Biden ends non-viable: moves to Warren
        "Carson City,107,Biden,Warren,Sanders\n"
        "Carson City,107,Klobuchar,Biden,Steyer\n"  # no viable choice: exhausted
        "Carson City,107,Sanders,Warren,Biden\n"
        "Carson City,107,Warren,,\n",  # void: one choice
        encoding="utf-8",
    )
    load_early_file(ctx, early)
    p = ctx.by_id["carson-city--107"]
    summary = early_summary(ctx, p)
    assert summary is not None
    confirmed = (int(str(summary["count"])), str(summary["checksum"]))
    first = {"Warren": 26, "Sanders": 25, "Biden": 3}
    final = {"Warren": 27, "Sanders": 27}
    assert submit(ctx, p, ReportInput(54, first, final, early_confirmed=confirmed)) == "accepted"
    docs = {path: json.loads(e.body) for path, e in PublicFeed(ctx).current().entries.items()}
    ctx.db.dispose()
    doc = docs["precincts/carson-city--107"]
    # the document's type, read under the SDE names its TypedDict uses
    TypeAdapter(PrecinctDocument).validate_python(unit_keys(doc, "sde", "ccd"), strict=True)
    rows = {c["name"]: c for c in doc["candidates"]}
    assert (rows["Biden"]["early_first"], rows["Biden"]["early_final"]) == (2, 0)
    assert (rows["Warren"]["early_first"], rows["Warren"]["early_final"]) == (0, 2)
    assert (rows["Sanders"]["early_first"], rows["Sanders"]["early_final"]) == (1, 1)
    assert rows["Klobuchar"]["early_first"] == 1 and rows["Klobuchar"]["final"] == 0
    assert (rows["Warren"]["first"], rows["Warren"]["final"]) == (26, 27)  # in person
    assert doc["early"] == {
        "ballots": 5,
        "valid": 4,
        "void": 1,
        "exhausted": 1,
        "checksum": summary["checksum"],
        "in_person_attendees": 54,
        "attendees": 58,
    }
    # the re-derivation, from the document alone
    both_first = {n: r["first"] + r["early_first"] for n, r in rows.items()}
    both_final = {n: r["final"] + r["early_final"] for n, r in rows.items()}
    winners = tuple(w for t in doc["tosses"] for w in t["winners"])
    again = compute_precinct(
        election.rules,
        PrecinctInput(
            doc["delegates_to_elect"],
            doc["early"]["attendees"],
            {n: k for n, k in both_final.items() if k},
            {n: k for n, k in both_first.items() if k},
            winners,
        ),
    )
    published = {n: r["ccd"] for n, r in rows.items() if r["ccd"] != "0"}
    assert published and {n: str(k) for n, k in again.delegates.items() if k} == published
    # the in-person counts alone give another split: the early votes matter here
    alone = compute_precinct(election.rules, PrecinctInput(7, 54, final, first))
    assert {n: str(k) for n, k in alone.delegates.items() if k} != published
