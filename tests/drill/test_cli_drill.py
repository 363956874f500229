"""``caucus drill --url … --codes …`` against a service someone else started (SQLite), through
the command line, with ``--json`` (rules.md §9)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.drill.servers import OwnedServer

from .test_live_drill import FAST, mini_iowa

pytestmark = pytest.mark.slow


def test_drill_command_against_a_running_server(data_dir: Path, tmp_path: Path) -> None:
    election = mini_iowa(tmp_path)
    results = data_dir / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"
    server = OwnedServer(
        str(tmp_path / "caucus.sqlite"), env=FAST, log=Path(tempfile.mkstemp(suffix=".log")[1])
    )
    server.setup(str(election), tmp_path)
    # the election, its results and the running server the drill replays against
    target = [
        "drill",
        *("--election", str(election), "--results", str(results)),
        *("--url", server.url, "--codes", str(tmp_path / "codes.csv")),
    ]
    server.start()
    try:
        out = CliRunner().invoke(
            build(),
            [
                *target,
                "--limit",
                "30",
                "--speed",
                "900",
                "--max-gap",
                "0.2",
                "--readers",
                "1",
                "--flood",
                "40",
                "--seed",
                "5",
                "--json",
                "--out",
                str(tmp_path / "drill"),
            ],
        )
    finally:
        server.stop()
    assert out.exit_code == 0, out.output[-3000:]
    rep = json.loads(out.output.strip().splitlines()[-1])
    assert rep["ok"] and rep["units"]["planned"] == 30
    assert {c["name"] for c in rep["checks"] if c["ok"]} >= {"tabulation", "receipts exactly once"}
    assert (tmp_path / "drill" / "report.html").read_text(encoding="utf-8").count("<svg") == 3
    # a kill -9 needs a server the drill owns
    refused = CliRunner().invoke(
        build(),
        [
            *target,
            "--kill",
            "1",
        ],
    )
    assert refused.exit_code == 2 and "needs a server the drill owns" in refused.output
