"""The service commands through Typer's CliRunner: init, credentials, publish, export, certify."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.services.credentials import ALPHABET

runner = CliRunner()


def run(*args: str) -> str:
    r = runner.invoke(build(), list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_credentials_issue_rotate_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUCUS_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CAUCUS_ARGON2_MEMORY_KIB", "1024")
    db = str(tmp_path / "c.sqlite")
    out = json.loads(run("init", "--election", "iowa-2020", "--db", db, "--json"))
    assert out == {"election": "iowa-2020", "precincts": 1768, "created": True}
    codes = tmp_path / "codes.csv"
    one = ["--precinct", "adair--1nw-adair", "--precinct", "adair--2ne-stuart"]
    res = json.loads(run("credentials", "issue", "--db", db, "--out", str(codes), *one, "--json"))
    assert res["issued"] == 2 and res["accounts"] == 4
    rows = list(csv.DictReader(codes.open()))
    chair = [r for r in rows if r["kind"] == "precinct"]
    for r in chair:
        raw = r["secret"].replace("-", "")
        assert len(raw) == 10 and set(raw) <= set(ALPHABET)
        assert not set(raw) & set("0O1IL")
    assert {r["username"] for r in rows if r["kind"] == "account"} == {
        "operator1",
        "operator2",
        "desk1",
        "admin",
    }
    again = json.loads(
        run(
            "credentials", "issue", "--db", db, "--out", str(tmp_path / "again.csv"), *one, "--json"
        )
    )
    assert again["issued"] == 0 and again["kept"] == 2  # never rotates silently
    new = json.loads(
        run(
            "credentials",
            "rotate",
            "--db",
            db,
            "--precinct",
            "adair--1nw-adair",
            "--reason",
            "packet lost",
            "--json",
        )
    )
    assert new["code"] != chair[0]["secret"]
    added = json.loads(
        run("credentials", "users", "--db", db, "--add", "hotline7", "--role", "operator", "--json")
    )
    assert added["role"] == "operator" and added["password"]
    users = json.loads(run("credentials", "users", "--db", db, "--json"))
    assert "hotline7" in {u["username"] for u in users}
    bad = runner.invoke(build(), ["credentials", "rotate", "--db", db, "--precinct", "x"])
    assert bad.exit_code == 2  # a clear error, not a crash
    assert "precinct_id: unknown precinct id 'x'" in bad.output


def test_publish_export_certify(tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite")
    run("init", "--election", "iowa-2020", "--db", db)
    run("export", "--db", db, "--out", str(tmp_path / "x.csv"))
    assert (tmp_path / "x.csv").read_text().startswith("county,precinct")
    run(
        "export",
        "--db",
        db,
        "--out",
        str(tmp_path / "x.json"),
        "--format",
        "nist-cdf",
        "--date",
        "2020-02-03",
    )
    cdf = json.loads((tmp_path / "x.json").read_text())
    assert cdf["Status"] == "unofficial-partial"
    run("certify", "--db", db)
    site = tmp_path / "site"
    run("publish", "--db", db, "--out", str(site))
    state = json.loads((site / "state.json").read_text())
    assert state["status"] == "certified"
    assert json.loads((site / "version.json").read_text())["version"] == 1
    again = runner.invoke(build(), ["certify", "--db", db])
    assert again.exit_code == 2 and "already certified" in again.output
