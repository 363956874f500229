"""The ``caucus`` entry point imports a command family only when one of its commands runs.

Issue 11: ``caucus --help`` under 0.3 s and ``caucus precinct`` without SQLAlchemy or argon2.
The command list of ``caucus --help`` comes from ``caucuskit.cli.app.COMMANDS``; these tests
keep that table equal to the real commands.
"""

from __future__ import annotations

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
        "from caucuskit.cli.app import main\n"
        f"sys.argv = ['caucus', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input='{"delegates": 2, "attendees": 4, "final": {"A": 4}}\n',
        capture_output=True, text=True, check=True,
    )
    return set(done.stderr.split())


def test_help_imports_no_command_module() -> None:
    loaded = _modules_after("--help")
    assert not {m for m in loaded if m.startswith("caucuskit.cli.") and m != "caucuskit.cli.app"}
    assert not {m for m in loaded if m.split(".")[0] in {"sqlalchemy", "argon2", "uvicorn"}}


def test_precinct_batch_imports_no_database_or_hashing() -> None:
    loaded = _modules_after("precinct", "--jsonl")
    assert "caucuskit.cli.precinct" in loaded
    heavy = {m.split(".")[0] for m in loaded} & {"sqlalchemy", "argon2", "uvicorn", "fastapi"}
    assert not heavy, heavy
    assert not {m for m in loaded if m.startswith("caucuskit.services")}
