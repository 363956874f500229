"""The ``caucus`` entry point imports a command family only when one of its commands runs.

Issue 11: ``caucus --help`` under 0.3 s and ``caucus precinct`` without SQLAlchemy or argon2.
The command list of ``caucus --help`` comes from ``caucuskit.cli.app.COMMANDS``; these tests
keep that table equal to the real commands.
"""

from __future__ import annotations

import os
import subprocess
import sys

from caucuskit.cli.app import COMMANDS, load_module


def test_the_command_table_matches_the_real_commands() -> None:
    seen = []
    for name, (module, text) in COMMANDS.items():
        command = load_module(module).commands.get(name)
        assert command is not None, f"caucuskit.cli.{module} registers no command {name!r}"
        first = (command.short_help or command.help or "").split("\n\n")[0]
        assert first == text, f"COMMANDS[{name!r}] help is stale; the command says {first!r}"
        seen.append(name)
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        extra = set(load_module(module).commands) - set(seen)
        assert not extra, f"add {sorted(extra)} (caucuskit.cli.{module}) to COMMANDS"


def _modules_after(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from caucuskit.cli import main\n"
        f"sys.argv = ['caucus', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input='{"delegates": 2, "attendees": 4, "final": {"A": 4}}\n',
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stderr.split())


def test_help_imports_no_command_module() -> None:
    loaded = _modules_after("--help")
    allowed = {"caucuskit.cli.app", "caucuskit.cli.commands", "caucuskit.cli.fasthelp"}
    assert not {m for m in loaded if m.startswith("caucuskit.cli.") and m not in allowed}
    assert not {m for m in loaded if m.split(".")[0] in {"sqlalchemy", "argon2", "uvicorn"}}


def test_precinct_batch_imports_no_database_or_hashing() -> None:
    loaded = _modules_after("precinct", "--jsonl")
    assert "caucuskit.cli.precinct_batch" in loaded
    heavy = {m.split(".")[0] for m in loaded} & {
        "sqlalchemy",
        "argon2",
        "uvicorn",
        "fastapi",
        "rich",
        "typer",
    }
    assert not heavy, heavy
    assert not {m for m in loaded if m.startswith("caucuskit.services")}


BATCH = (
    '{"id": 1, "delegates": 8, "attendees": 40, "final": {"Biden": 6, "Buttigieg": 8, '
    '"Klobuchar": 8, "Sanders": 9, "Warren": 9}}\n'
    '{"delegates": 1, "attendees": 9, "final": {"A": 4, "B": 4}, "toss_winners": ["B"]}\n'
    "not json\n"
    '{"delegates": 3, "attendees": 20, "final": {"A": 10, "B": -1}, "rules": "nv-2020"}\n'
)


def _run(args: list[str], code: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=BATCH,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout


FAST = "import sys; sys.argv[0] = 'caucus'; from caucuskit.cli import main; main()"
TYPER = "import sys; sys.argv[0] = 'caucus'; from caucuskit.cli.app import app; app()"


def test_the_fast_batch_path_answers_exactly_as_the_typer_command() -> None:
    for args in (
        ["precinct", "--jsonl"],
        ["precinct", "--rules", "nv-2020", "--jsonl"],
        ["precinct", "--jsonl", "--no-worksheet", "--rules=ia-2016"],
        ["precinct", "--jsonl", "--worksheet"],
        ["precinct", "--jsonl", "--rules", "nope"],
    ):
        fast, slow = _run(args, FAST), _run(args, TYPER)
        assert fast == slow, args
        assert fast[0] == 1 and fast[1].count("\n") in (1, 4)


def test_plain_batch_args_leaves_everything_else_to_typer() -> None:
    from caucuskit.cli import plain_batch_args

    assert plain_batch_args(["precinct", "--jsonl"]) == ("ia-2020", False)
    assert plain_batch_args(["precinct", "--jsonl", "--worksheet"]) == ("ia-2020", True)
    assert plain_batch_args(["precinct", "--no-worksheet", "--jsonl", "--rules", "x"]) == (
        "x",
        False,
    )
    for other in (
        ["precinct", "--jsonl", "--help"],
        ["precinct", "--jsonl", "-d", "3"],
        ["precinct", "--jsonl", "--rules"],
        ["precinct", "--json"],
        ["tabulate"],
        ["precinct", "--jsonl", "--one-delegate", "strict-majority"],
    ):
        assert plain_batch_args(other) is None, other


def _help(code: str, args: list[str], columns: int) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TERMINAL_WIDTH", "COLUMNS"}}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "COLUMNS": str(columns)},
    )
    assert not done.stderr, done.stderr
    return done.returncode, done.stdout


def test_the_fast_help_is_typers_help_without_loading_typer() -> None:
    """``caucus`` and ``caucus --help`` are printed from COMMANDS (issue 11); the screen is
    the one Typer draws, the same lines at every width, and the same exit status."""
    for columns in (36, 80, 123):
        for args in ([], ["--help"]):
            fast, slow = _help(FAST, args, columns), _help(TYPER, args, columns)
            assert fast == slow, (columns, args)
            assert fast[0] == (0 if args else 2)
            words = " ".join(fast[1].replace("│", " ").split())
            for name, (_, text) in COMMANDS.items():
                assert f" {name} {' '.join(text.split())} " in words, (columns, name)
    loaded = _modules_after("--help")
    assert "caucuskit.cli.fasthelp" in loaded
    assert not {m.split(".")[0] for m in loaded} & {"typer", "rich", "click", "pydantic"}
