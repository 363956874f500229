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
from caucuskit.services.public_types import PrecinctDocument, ScopeDocument
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.services.snapshot import PublicFeed, encode
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
