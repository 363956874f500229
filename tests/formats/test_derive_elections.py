"""The shipped election definitions are what scripts/derive_elections.py makes of the data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import DATA, REPO, need

SHIPPED = REPO / "src" / "caucuskit" / "data" / "elections"


def test_derive_script_reproduces_the_shipped_json(tmp_path: Path) -> None:
    need(DATA.is_dir(), f"the shared data folder is missing at {DATA}")
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "derive_elections.py"),
         "--data", str(DATA), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("iowa-2016.json", "iowa-2020.json"):
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), name


def test_nominal_pools_give_2150(tmp_path: Path) -> None:
    need(DATA.is_dir(), f"the shared data folder is missing at {DATA}")
    from caucuskit.formats.election_file import load_election

    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "derive_elections.py"),
         "--data", str(DATA), "--out", str(tmp_path), "--pools", "nominal"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    e = load_election(tmp_path / "iowa-2020.json")
    pools = [c.state_delegates for c in e.counties if c.satellite]
    assert pools == [6, 11, 18, 4, 4]
    assert sum(c.state_delegates or 0 for c in e.counties) == 2150


def test_derive_script_fails_cleanly_without_data(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "derive_elections.py"),
         "--data", str(tmp_path / "nothing"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "derive_elections:" in done.stderr
