"""The command line for people (issue 12): bad rows stop the run unless skipped, commands on a
database that was never set up fail cleanly and create nothing, folders given as files are
named as such, export --json, plain help labels, and the demo's pages and clean-up.

Rule: rules.md §9 (nothing lost, nothing silent).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.cli.helptext import plain
from caucuskit.cli.service import DEMO_PAGES
from conftest import DATA
from process_support import CLI

runner = CliRunner()
FULL = DATA / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"


def _bad_copy(tmp_path: Path) -> tuple[Path, int]:
    """The 100 % file with one count replaced by text (line 5: Adair 3SW FONTANELLE)."""
    lines = FULL.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.startswith("Adair,3SW FONTANELLE,"))
    cells = lines[n].split(",")
    cells[3] = "nine"
    lines[n] = ",".join(cells)
    path = tmp_path / "bad.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path, n + 1


@pytest.mark.parametrize("command", ["tabulate", "audit"])
def test_a_malformed_row_stops_the_command_with_its_line_and_reason(
    tmp_path: Path, command: str
) -> None:
    bad, line = _bad_copy(tmp_path)
    r = runner.invoke(build(), [command, "--election", "iowa-2020", "--results", str(bad)])
    assert r.exit_code == 2, r.output
    assert "1 row(s) of the results file cannot be used" in r.output
    assert f"line {line}: Adair / 3SW FONTANELLE" in r.output
    assert "--skip-bad-rows" in r.output
    j = runner.invoke(
        build(), [command, "--election", "iowa-2020", "--results", str(bad), "--json"]
    )
    assert j.exit_code == 2 and json.loads(j.output)["bad_rows"][0].startswith(f"line {line}")


def test_skip_bad_rows_goes_on_and_says_how_many_first(tmp_path: Path) -> None:
    bad, _line = _bad_copy(tmp_path)
    r = runner.invoke(
        build(), ["tabulate", "--election", "iowa-2020", "--results", str(bad), "--skip-bad-rows"]
    )
    assert r.exit_code == 0, r.output
    first = r.output.strip().splitlines()[0]
    assert first.startswith("1 bad row(s) skipped (--skip-bad-rows)")
    assert r.output.index("skipped") < r.output.index("Statewide")
    j = runner.invoke(
        build(),
        ["tabulate", "--election", "iowa-2020", "--results", str(bad), "--skip-bad-rows", "--json"],
    )
    assert j.exit_code == 0 and len(json.loads(j.output)["unjoined"]) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["publish", "--out", "{tmp}/public"],
        ["export", "--out", "{tmp}/x.csv"],
        ["certify"],
        ["credentials", "users"],
        ["credentials", "issue", "--out", "{tmp}/codes.csv"],
    ],
)
def test_commands_before_init_fail_clearly_and_create_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "caucus.sqlite"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--db", str(db)]
    r = runner.invoke(build(), argv)
    assert r.exit_code == 2, r.output
    assert "run `caucus init --election" in r.output and "Traceback" not in r.output
    assert not db.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_empty_database_file_is_named_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    db.write_bytes(b"")
    r = runner.invoke(build(), ["publish", "--out", str(tmp_path / "p"), "--db", str(db)])
    assert r.exit_code == 2
    assert "has no caucuskit results in it" in r.output


def test_folders_given_as_files_are_named_as_folders(tmp_path: Path) -> None:
    r = runner.invoke(build(), ["publish", "--out", str(tmp_path), "--db", str(tmp_path)])
    assert r.exit_code == 2 and "is a folder, not a database file" in r.output
    r = runner.invoke(build(), ["call", "--election", "iowa-2020", "--results", str(tmp_path)])
    text = " ".join(r.output.split())
    assert r.exit_code == 2 and "is a folder; give the results file" in text
    assert "no such file" not in text
    r = runner.invoke(build(), ["tabulate", "--election", str(tmp_path), "--results", str(FULL)])
    assert r.exit_code == 2 and "is a folder; give a definition file" in " ".join(r.output.split())


def test_export_json_and_publish_out_file(tmp_path: Path) -> None:
    db = str(tmp_path / "e.sqlite")
    assert runner.invoke(build(), ["init", "--election", "iowa-2020", "--db", db]).exit_code == 0
    out = tmp_path / "r.json"
    r = runner.invoke(
        build(), ["export", "--db", db, "--format", "nist-cdf", "--out", str(out), "--json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["out"] == str(out) and data["format"] == "nist-cdf"
    assert data["bytes"] == len(out.read_bytes())
    r = runner.invoke(build(), ["export", "--db", db, "--out", str(tmp_path)])
    assert r.exit_code == 2 and "is a folder" in r.output
    r = runner.invoke(build(), ["publish", "--db", db, "--out", str(out)])
    assert r.exit_code == 2 and "is a file" in r.output


def test_help_has_no_python_type_labels() -> None:
    for cmd in (["precinct"], ["tabulate"], ["call"], ["credentials", "issue"], ["export"]):
        r = runner.invoke(build(), [*cmd, "--help"], env={"COLUMNS": "160"})
        assert r.exit_code == 0
        assert not re.search(r"<(bool|str|int|list\[str\]|path|file)>", r.output), r.output
    assert plain("<list[str]>", False) == "TEXT (repeatable)"
    assert plain("<bool>", True) == "" and plain("<int>", False) == "N"
    assert plain("<by-lot|all-realign>", False) == "by-lot|all-realign"
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    assert "<bool>" not in docs and "<list[str]>" not in docs


def test_demo_lists_the_pages_the_readme_names() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    paths = {p for _, p in DEMO_PAGES}
    for path in ("/results", "/chair", "/hotline", "/desk", "/docs"):
        assert path in paths and f"`{path}`" in readme


def test_demo_prints_every_page_and_removes_its_folder_when_stopped(tmp_path: Path) -> None:
    """A real `caucus demo` process: its table names every page with its address; Ctrl-C
    (SIGINT) stops it and the temporary folder with the database is gone."""
    import os
    import signal
    import socket
    import subprocess
    import threading
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        CAUCUS_ARGON2_TIME_COST="1",
        CAUCUS_ARGON2_MEMORY_KIB="1024",
        COLUMNS="200",
        TMPDIR=str(tmp_path),
    )
    proc = subprocess.Popen(
        [
            *CLI,
            "demo",
            "--port",
            str(port),
            "--codes",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    stream = proc.stdout
    reader = threading.Thread(target=lambda: lines.extend(iter(stream.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    try:
        while "API documentation" not in "".join(lines) and time.monotonic() < deadline:
            time.sleep(0.2)
        out = "".join(lines)
        for _, path in DEMO_PAGES:
            assert f"http://127.0.0.1:{port}{path}" in out, out
        folders = [p for p in tmp_path.iterdir() if p.name.startswith("caucus-demo-")]
        assert len(folders) == 1 and (folders[0] / "demo.sqlite").exists()
        # wait until the server answers, then stop it the way a person does
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not folders[0].exists()
