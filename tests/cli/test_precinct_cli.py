"""``caucus precinct``: the worksheet, JSON, options and batch mode (issue 3, point 5)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from caucuskit.cli.app import build

ADAIR = "Biden=6,Buttigieg=8,Klobuchar=8,Sanders=9,Warren=9"
BASE = ["precinct", "--rules", "ia-2020", "--delegates", "8", "--attendees", "40"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "160", "NO_COLOR": "1"})


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(build(), list(args), input=stdin)


def test_worksheet_shows_threshold_table_steps_and_the_pending_toss(runner: CliRunner) -> None:
    result = run(runner, *BASE, "--final", ADAIR)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Viability threshold: 6 people" in out
    assert "1.6000" in out and "1.8000" in out and "1.2000" in out  # raw shares, 4 decimals
    assert "Rounded total 9; delegates to elect 8." in out
    assert "Coin toss needed between Buttigieg and Klobuchar: 1 delegate to lose" in out
    assert "--toss-winner" in out
    assert "not final yet" in out


def test_toss_winner_settles_the_tie(runner: CliRunner) -> None:
    result = run(runner, *BASE, "--final", ADAIR, "--toss-winner", "Klobuchar", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pending_tie"] is None
    assert data["delegates"] == {
        "Biden": 1,
        "Buttigieg": 1,
        "Klobuchar": 2,
        "Sanders": 2,
        "Warren": 2,
    }
    assert data["ties"][0]["winners"] == ["Klobuchar"]
    plain = run(runner, *BASE, "--final", ADAIR, "--toss-winner", "Klobuchar")
    assert "won by Klobuchar" in plain.output and "Delegates (final)" in plain.output


def test_json_has_the_documented_keys(runner: CliRunner) -> None:
    result = run(runner, *BASE, "--final", ADAIR, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["threshold"] == 6
    assert data["viable"] == ["Biden", "Buttigieg", "Klobuchar", "Sanders", "Warren"]
    # while the tie is pending, delegates hold only what is decided without it
    assert data["delegates"] == {
        "Biden": 1,
        "Buttigieg": 1,
        "Klobuchar": 1,
        "Sanders": 2,
        "Warren": 2,
    }
    tie = data["pending_tie"]
    assert set(tie["groups"]) == {"Buttigieg", "Klobuchar"}
    assert (tie["delegates"], tie["action"]) == (1, "lose")
    assert isinstance(data["log"], list) and data["log"][0]["action"] == "threshold"


def test_one_delegate_threshold_is_null(runner: CliRunner) -> None:
    result = run(runner, "precinct", "-d", "1", "-n", "16", "--final", "A=5,B=4", "--json")
    data = json.loads(result.output)
    assert data["threshold"] is None and data["delegates"] == {"A": 1}


@pytest.mark.parametrize(
    ("final", "message"),
    [
        ("Biden6", "--final: 'Biden6' is not NAME=COUNT"),
        ("Biden=six", "--final: 'Biden=six': the count 'six' is not a whole number"),
        ("=6", "--final: '=6' is not NAME=COUNT"),
        ("Biden=6,Biden=7", "--final: 'Biden' is given more than once"),
        ("Biden=6=7", "--final: 'Biden=6=7' is not NAME=COUNT"),
    ],
)
def test_alignment_parsing_errors_are_clear(runner: CliRunner, final: str, message: str) -> None:
    result = run(runner, *BASE, "--final", final)
    assert result.exit_code == 1
    assert message in result.stderr


def test_first_alignment_parsing_errors_name_first(runner: CliRunner) -> None:
    result = run(runner, *BASE, "--final", "A=7", "--first", "A:7")
    assert result.exit_code == 1 and "--first: 'A:7' is not NAME=COUNT" in result.stderr


def test_missing_inputs(runner: CliRunner) -> None:
    result = run(runner, "precinct", "--delegates", "8")
    assert result.exit_code == 1
    assert "--attendees: is required" in result.stderr and "--final: is required" in result.stderr


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--final", "Biden=-1"], "final.Biden"),
        (["--final", "Biden=41"], "final"),
        (["--final", "Biden=6,Warren=7", "--first", "Biden=7,Warren=6"], "final.Biden"),
        (["--final", ADAIR, "--toss-winner", "Sanders"], "toss_winners[0]"),
        (["--final", "A=1", "--rules", "ia-2024"], "rules"),
    ],
)
def test_validation_errors_exit_non_zero_and_name_the_field(
    runner: CliRunner, args: list[str], field: str
) -> None:
    result = run(runner, *BASE, *args)
    assert result.exit_code == 1
    assert f"error: {field}:" in result.stderr
    as_json = run(runner, *BASE, *args, "--json")
    assert as_json.exit_code == 1
    assert field in {p["field"] for p in json.loads(as_json.output)["problems"]}


def test_zero_attendees_is_an_error(runner: CliRunner) -> None:
    result = run(runner, "precinct", "-d", "4", "-n", "0", "--final", "")
    assert result.exit_code == 1 and "attendees" in result.stderr


def test_zero_delegates_is_a_note(runner: CliRunner) -> None:
    result = run(runner, "precinct", "-d", "0", "-n", "12", "--final", "A=5,B=7")
    assert result.exit_code == 0
    assert "elects no delegates" in result.output


K = "A=13,B=13,C=13,D=13,E=24"


def test_rule_options(runner: CliRunner) -> None:
    k = ["precinct", "-d", "4", "-n", "76", "--final", K, "--json"]
    by_lot = json.loads(run(runner, *k).output)
    assert by_lot["pending_tie"]["delegates"] == 1 and by_lot["must_realign"] == []
    app = json.loads(run(runner, *k, "--overshoot-ties", "all-realign").output)
    assert app["must_realign"] == ["A", "B", "C", "D"] and app["complete"] is False
    nevada = json.loads(run(runner, *k, "--rules", "nv-2020").output)
    assert nevada["awarded"] == 5

    one = ["precinct", "-d", "1", "-n", "16", "--final", "A=5,B=4,C=3", "--json"]
    strict = json.loads(run(runner, *one, "--one-delegate", "strict-majority").output)
    assert strict["delegates"] == {} and strict["undecided"] is True

    evansdale = ["precinct", "-d", "4", "-n", "35", "--final", "Bi=7,Bu=15,S=6,W=7", "--json"]
    assert json.loads(run(runner, *evansdale).output)["delegates"]["Bu"] == 1
    open_ = json.loads(run(runner, *evansdale, "--no-protect-only-delegate").output)
    assert open_["delegates"] == {"Bi": 1, "Bu": 2, "W": 1}

    sticky = [
        "precinct",
        "--rules",
        "ia-2016",
        "-d",
        "4",
        "-n",
        "20",
        "--first",
        "A=4,B=8,C=8",
        "--final",
        "A=2,B=10,C=8",
        "--json",
    ]
    assert json.loads(run(runner, *sticky).output)["viable"] == ["B", "C"]
    kept = json.loads(run(runner, *sticky, "--first-viability-sticks").output)
    assert kept["viable"] == ["A", "B", "C"]


def test_bad_option_value_is_refused(runner: CliRunner) -> None:
    result = run(runner, *BASE, "--final", ADAIR, "--overshoot-ties", "sometimes")
    assert result.exit_code == 2  # a usage error, not a crash
    assert "--overshoot-ties" in result.output and "'sometimes' is not one of" in result.output


def test_help_documents_every_option(runner: CliRunner) -> None:
    result = run(runner, "precinct", "--help")
    assert result.exit_code == 0
    for option in [
        "--delegates",
        "--attendees",
        "--final",
        "--first",
        "--rules",
        "--toss-winner",
        "--one-delegate",
        "--overshoot-ties",
        "--protect-only-delegate",
        "--first-viability-sticks",
        "--json",
        "--jsonl",
    ]:
        assert option in result.output


# Batch mode


def line(**fields: object) -> str:
    return json.dumps(fields)


def test_batch_mode_answers_every_line_in_order(runner: CliRunner) -> None:
    adair = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}
    lines = [
        line(rules="ia-2020", delegates=8, attendees=40, final=adair, id="1NW ADAIR"),
        "{not json",
        line(rules="ia-2020", delegates=8, attendees=40, final=adair, toss_winners=["Klobuchar"]),
        line(delegates="8", attendees=40, final=adair),
        "",
        line(
            rules="nv-2020",
            delegates=2,
            attendees=19,
            final={"Biden": 6, "Buttigieg": 7, "Sanders": 6},
        ),
        line(delegates=8, attendees=40, final=adair, toss_winners=["Sanders"]),
        line(delegates=8, attendees=40, final=adair, toss_winners="Klobuchar"),
        "[1, 2]",
        line(
            delegates=4,
            attendees=76,
            final={"A": 13, "B": 13, "C": 13, "D": 13, "E": 24},
            options={"overshoot_ties": "all-realign"},
        ),
        line(delegates=8, attendees=40, final=adair, options={"one_delegate": "coin"}),
        line(delegates=8, attendees=40, finale=adair),
        line(delegates=2, attendees=20, final={"A": 13, "B": 7}, first={"A": 13, "B": 7.5}),
    ]
    result = run(runner, "precinct", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 1  # some lines were refused; the others were still answered
    out = [json.loads(x) for x in result.output.splitlines()]
    assert len(out) == 12  # one answer per non-blank line

    assert out[0]["id"] == "1NW ADAIR" and out[0]["pending_tie"]["action"] == "lose"
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2]["delegates"]["Klobuchar"] == 2
    assert out[3]["line"] == 4 and out[3]["problems"][0]["field"] == "delegates"
    assert out[4]["awarded"] == 3  # Nevada Principle 2 (input line 6, after the blank line)
    assert out[5]["line"] == 7 and out[5]["problems"][0]["field"] == "toss_winners[0]"
    assert out[6]["problems"][0]["field"] == "toss_winners"
    assert out[7]["line"] == 9 and "JSON object" in out[7]["error"]
    assert out[8]["must_realign"] == ["A", "B", "C", "D"]
    assert out[9]["problems"][0]["field"] == "options.one_delegate"
    fields = {p["field"] for p in out[10]["problems"]}
    assert fields == {"finale", "final"}
    assert out[11]["problems"][0]["field"] == "first.B"


def test_batch_mode_uses_the_command_line_ruleset_by_default(runner: CliRunner) -> None:
    arcadia = line(delegates=2, attendees=19, final={"Biden": 6, "Buttigieg": 7, "Sanders": 6})
    ia = json.loads(run(runner, "precinct", "--jsonl", stdin=arcadia).output)
    nv = json.loads(run(runner, "precinct", "--jsonl", "--rules", "nv-2020", stdin=arcadia).output)
    assert ia["pending_tie"] is not None and nv["awarded"] == 3
    app = json.loads(
        run(runner, "precinct", "--jsonl", "--overshoot-ties", "all-realign", stdin=arcadia).output
    )
    assert app["must_realign"] == ["Biden", "Sanders"]
    ia2016 = line(
        rules="ia-2016", delegates=2, attendees=19, final={"Biden": 6, "Buttigieg": 7, "Sanders": 6}
    )
    app = json.loads(
        run(runner, "precinct", "--jsonl", "--overshoot-ties", "all-realign", stdin=ia2016).output
    )
    assert app["ruleset"] == "ia-2016" and app["must_realign"] == ["Biden", "Sanders"]


def test_batch_mode_all_good_exits_zero(runner: CliRunner) -> None:
    good = "\n".join(line(delegates=2, attendees=20, final={"A": 13, "B": 7}) for _ in range(3))
    result = run(runner, "precinct", "--jsonl", stdin=good)
    assert result.exit_code == 0
    answers = [json.loads(x)["delegates"] for x in result.output.splitlines()]
    assert answers == [{"A": 1, "B": 1}] * 3


def test_batch_mode_refuses_single_precinct_options(runner: CliRunner) -> None:
    result = run(runner, "precinct", "--jsonl", "--final", "A=1", stdin="")
    assert result.exit_code == 1 and "--final" in result.output
