"""A worker remembers a precinct code it found right (services/credentials.py, issue 11): a
resend or a hotline's second entry is let in without another argon2 check, but only while
the caller has no failures counted and its budget is not spent; a new code is never matched
by the old one; what is kept is an HMAC, never the code."""

from __future__ import annotations

from typing import Any

import pytest

from caucuskit.services import credentials
from caucuskit.services.errors import Throttled, Unauthorized

from .service_support import ADAIR_ID, Service


@pytest.fixture
def argon2_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 check made (the real check runs; only its calls are counted)."""
    calls: list[str] = []
    real = credentials._verify

    def counted(ph: Any, digest: str, secret: str) -> bool:
        calls.append(secret)
        return real(ph, digest, secret)

    monkeypatch.setattr(credentials, "_verify", counted)
    credentials.forget_right_codes()
    return calls


def _check(service: Service, code: str, client: str = "198.51.100.7") -> None:
    p = service.ctx.precinct_by_id(ADAIR_ID)
    credentials.verify_precinct_code(service.ctx, p, code, client)


def test_a_right_code_is_checked_once_then_remembered(
    service: Service, argon2_checks: list[str]
) -> None:
    code = service.codes[ADAIR_ID]
    for _ in range(5):
        _check(service, code)
    _check(service, code.lower().replace("-", " "))  # the same code as typed differently
    assert len(argon2_checks) == 1
    assert all(code not in repr(k) for k in credentials._right_codes)
    assert all(len(k) == 32 for k in credentials._right_codes)  # an HMAC-SHA256, not the code


def test_a_caller_with_failures_goes_the_whole_way(
    service: Service, argon2_checks: list[str]
) -> None:
    code = service.codes[ADAIR_ID]
    _check(service, code)
    with pytest.raises(Unauthorized):
        _check(service, "WRONG-CODE1")
    _check(service, code)  # the address has a failure: argon2 again, and the counter cleared
    assert len(argon2_checks) == 3
    _check(service, code)  # clean again: remembered
    assert len(argon2_checks) == 3
    for _ in range(5):  # a block stays a block, even for a remembered right code
        try:
            _check(service, "WRONG-CODE2")
        except Unauthorized:
            pass
    with pytest.raises(Throttled):
        _check(service, code)


def test_an_address_past_its_budget_is_refused_even_with_a_remembered_code(
    service: Service, argon2_checks: list[str]
) -> None:
    ctx = service.ctx
    code = service.codes[ADAIR_ID]
    _check(service, code, "203.0.113.9")
    budget = ctx.settings.address_code_budget
    stuart = ctx.precinct_by_id("adair--2ne-stuart")
    from caucuskit.services import throttle

    limits = credentials.code_limits(ctx, str(stuart.pk), "203.0.113.9")
    for _ in range(budget):  # the address's budget spent on another precinct
        throttle.reserve(ctx, [limits[1]])
    with pytest.raises(Throttled):
        _check(service, code, "203.0.113.9")


def test_a_new_code_is_never_matched_by_the_remembered_old_one(
    service: Service, argon2_checks: list[str]
) -> None:
    old = service.codes[ADAIR_ID]
    _check(service, old)
    new = credentials.rotate_code(service.ctx, ADAIR_ID, reason="packet lost")
    with pytest.raises(Unauthorized):
        _check(service, old)
    _check(service, new)
    assert len(argon2_checks) == 3
