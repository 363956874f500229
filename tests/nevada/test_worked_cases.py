"""The NV memo's worked examples (rules.md §5.8 B, J, K) through the core and the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.core.nevada import NevadaInput, compute_nevada
from caucuskit.core.rules import NV_2020

#: (name, D, N, final, expected delegates, awarded)
CASES = [
    ("B", 7, 79, {"A": 14, "B": 19, "C": 18, "D": 12, "E": 16},
     {"A": 1, "B": 2, "C": 2, "D": 1, "E": 1}, 7),
    ("J", 10, 75, {"D": 23, "E": 27}, {"D": 5, "E": 5}, 10),
    ("K", 4, 76, {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24},
     {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1}, 5),
]  # fmt: skip


@pytest.mark.parametrize(("name", "d", "n", "final", "expected", "awarded"), CASES)
def test_core(
    name: str, d: int, n: int, final: dict[str, int], expected: dict[str, int], awarded: int
) -> None:
    r = compute_nevada(NV_2020, NevadaInput(d, n, final)).result
    assert dict(r.delegates) == expected and r.awarded == awarded and r.complete


@pytest.mark.parametrize(("name", "d", "n", "final", "expected", "awarded"), CASES)
def test_cli(
    name: str, d: int, n: int, final: dict[str, int], expected: dict[str, int], awarded: int
) -> None:
    text = ",".join(f"{g}={v}" for g, v in final.items())
    result = CliRunner().invoke(
        build(),
        ["precinct", "--rules", "nv-2020", "-d", str(d), "-n", str(n), "--final", text, "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["delegates"] == expected and data["awarded"] == awarded


def test_cli_with_early_ballots_and_a_card_draw() -> None:
    args = ["precinct", "--rules", "nv-2020", "-d", "6", "-n", "198",
            "--first", "W=99,S=50,B=49", "--final", "W=99,S=50,B=49",
            "--early", "B>S>W", "--early", "W>S>B", "--early", "S>S",
            "--card-draw", "S=QH,B=QS", "--witness", "Pat Doe"]  # fmt: skip
    result = CliRunner(env={"COLUMNS": "160"}).invoke(build(), args)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Early ballots: 3 loaded" in out and "2 valid, 1 void" in out
    assert "Card draw: B Q♠, S Q♥ -> B keep" in out
    assert "Delegates (final): B 2, S 1, W 3" in out
    bad = CliRunner().invoke(build(), [*args[:-4], "--card-draw", "S=QH,B=QH", "--json"])
    assert bad.exit_code == 1
    assert "one deck" in json.loads(bad.output)["error"]
