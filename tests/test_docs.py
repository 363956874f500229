"""The docs cannot drift: the CLI reference is regenerated and compared, every option has help
text, every setting is documented with its default, the README names the test command that CI
runs and every document it points to exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import typer

from caucuskit.cli.app import build
from caucuskit.services.settings import ENV_PREFIX, Settings

REPO = Path(__file__).resolve().parent.parent


def _load_generator() -> Any:
    script = REPO / "scripts" / "gen_cli_docs.py"
    spec = importlib.util.spec_from_file_location("gen_cli_docs", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    generated = _load_generator().render()
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == generated, "docs/cli.md is stale: run `python scripts/gen_cli_docs.py`"


def test_cli_reference_is_plain_text() -> None:
    """No Rich panels in the reference: box drawing reads badly in Markdown and to a screen
    reader, and Rich kept a docstring's hard line break in the middle of a sentence."""
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    boxes = sorted({ch for ch in text if 0x2500 <= ord(ch) <= 0x257F})
    assert not boxes, f"box drawing in docs/cli.md: {boxes}"
    assert "explain each difference from the published SDEs" in text.replace("\n  ", " ")


def _commands(command: Any, path: str = "caucus") -> list[tuple[str, Any]]:
    out = [(path, command)]
    if hasattr(command, "list_commands"):
        ctx = command.make_context("caucus", [], resilient_parsing=True)
        for name in command.list_commands(ctx):
            out.extend(_commands(command.get_command(ctx, name), f"{path} {name}"))
    return out


def test_every_command_and_option_has_help() -> None:
    missing = []
    for path, command in _commands(typer.main.get_command(build())):
        if not (command.help or "").strip():
            missing.append(f"{path}: no help text")
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option" and param.name != "help":
                if not (getattr(param, "help", None) or "").strip():
                    missing.append(f"{path} {param.opts[0]}: no help text")
    assert not missing, "\n".join(missing)


def test_readme_names_the_ci_test_command_and_existing_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test" in readme and "./scripts/test" in ci
    for ref in re.findall(r"`(docs/[\w./-]+)`", readme):
        assert (REPO / ref).exists(), f"README points to missing {ref}"


def _documented_settings() -> dict[str, str]:
    """``CAUCUS_X`` -> its documented default, from the table of docs/settings.md."""
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(CAUCUS_[A-Z0-9_]+)` \| `([^`]*)` \|", text, flags=re.MULTILINE)
    return dict(rows)


def test_every_setting_is_documented_with_its_default() -> None:
    documented = _documented_settings()
    names = {ENV_PREFIX + name.upper(): field for name, field in Settings.model_fields.items()}
    missing = sorted(set(names) - set(documented))
    stale = sorted(set(documented) - set(names))
    assert not missing, f"settings missing from docs/settings.md: {missing}"
    assert not stale, f"docs/settings.md documents settings that do not exist: {stale}"
    for env, field in names.items():
        assert documented[env] == str(field.default), (env, documented[env], field.default)


def test_settings_are_linked_from_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`docs/settings.md`" in readme
