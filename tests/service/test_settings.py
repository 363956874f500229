"""Settings come from ``CAUCUS_*`` variables and are checked before anything starts (issue 15):
a bad value is named with the variable, never a traceback; negatives are refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.services.settings import Settings, SettingsError


def test_a_word_for_a_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUCUS_PUBLIC_MAX_AGE", "five")
    with pytest.raises(SettingsError) as info:
        Settings.from_env()
    assert str(info.value) == "CAUCUS_PUBLIC_MAX_AGE: must be a whole number, got 'five'"


@pytest.mark.parametrize(
    "name",
    ["PUBLIC_MAX_AGE", "PAIR_FREE_FAILURES", "BLOCK_CAP", "LOGIN_FREE_FAILURES", "MAX_BODY_BYTES"],
)
def test_negative_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(f"CAUCUS_{name}", "-1")
    with pytest.raises(SettingsError, match=f"CAUCUS_{name}: must"):
        Settings.from_env()


def test_bounds_and_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="session_ttl: must be at least 60, got 0"):
        Settings.from_env(session_ttl=0)
    monkeypatch.setenv("CAUCUS_ARGON2_TIME_COST", "1000")
    with pytest.raises(SettingsError, match="CAUCUS_ARGON2_TIME_COST: is implausibly large"):
        Settings.from_env()
    with pytest.raises(SettingsError, match=r"^max_body_bytes: must be at least 1024, got 10$"):
        Settings.from_env(argon2_time_cost=1, max_body_bytes=10)


def test_empty_variables_keep_the_default_and_arguments_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAUCUS_PUBLIC_MAX_AGE", "")
    monkeypatch.setenv("CAUCUS_SESSION_TTL", "7200")
    monkeypatch.setenv("CAUCUS_DATABASE_URL", "from-env.sqlite")
    s = Settings.from_env(database_url="argument.sqlite", block_cap=None)
    assert (s.public_max_age, s.session_ttl, s.database_url) == (5, 7200, "argument.sqlite")
    assert s.block_cap == 3600


def test_serve_with_a_bad_setting_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUCUS_PUBLIC_MAX_AGE", "five")
    result = CliRunner().invoke(build(), ["serve"])
    assert result.exit_code == 2
    assert "CAUCUS_PUBLIC_MAX_AGE: must be a whole number, got 'five'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
