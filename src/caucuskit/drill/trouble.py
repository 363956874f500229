"""What goes wrong on a real night, apart from the chairs' own slips: malformed requests, the
hotline flood from a few addresses, and the faults (kill -9 of the server, PostgreSQL stopped).

Rule: rules.md §9 (2020: the hotline number leaked and callers swamped it while chairs waited;
a bad input must be refused with a reason naming the field, never counted silently).
"""

from __future__ import annotations

import json
from typing import Any

from caucuskit.drill.reports import Body

#: What each malformed request is expected to be refused with (status, field prefix).
EXPECTED: dict[str, tuple[int, str]] = {
    "string-count": (422, "attendees"),
    "boolean-count": (422, "final"),
    "negative": (422, "first"),
    "unknown-candidate": (422, "final"),
    "missing-final": (422, "final"),
    "not-json": (400, "body"),
    "delegates-given": (422, "delegates"),
    "too-large": (413, "body"),
}


def malformed(kind: str, body: Body, code: str) -> tuple[dict[str, Any] | None, bytes | None]:
    """A request body of the given ``kind`` built from a real report: (json, or raw bytes)."""
    good: dict[str, Any] = {k: v for k, v in body.items() if k != "tosses"}
    good["code"] = code
    some = next(iter(sorted(good["final"])), "Biden")
    if kind == "string-count":
        return {**good, "attendees": str(good["attendees"])}, None
    if kind == "boolean-count":
        return {**good, "final": {**good["final"], some: True}}, None
    if kind == "negative":
        return {**good, "first": {**good["first"], some: -3}}, None
    if kind == "unknown-candidate":
        return {**good, "final": {**good["final"], "Nobody McNoone": 4}}, None
    if kind == "missing-final":
        return {k: v for k, v in good.items() if k != "final"}, None
    if kind == "not-json":
        return None, b'{"county": "' + good["county"].encode() + b'", attendees: 12'
    if kind == "delegates-given":
        return {**good, "delegates": {some: 3}}, None
    if kind == "too-large":
        return None, json.dumps({**good, "note": "x" * 70_000}).encode()
    raise ValueError(f"unknown malformed kind {kind!r}")


def refused_as_expected(kind: str, status: int, field: str) -> bool:
    """Whether a malformed request got the refusal it should (the field is named)."""
    want_status, want_field = EXPECTED[kind]
    return status == want_status and (field.startswith(want_field) or field == "validation")


#: The four kinds of flood attempt, in turn: no code, a wrong code to submit, a wrong code to
#: sign in, an operator entry without credentials.
FLOOD_KINDS = ("no-code", "wrong-code", "wrong-signin", "no-credentials")


def flood_body(kind: str, county: str, precinct: str, attempt: int) -> tuple[str, bytes]:
    """(endpoint name, body) of one flood attempt against a real precinct."""
    wrong = f"ZZZZ{attempt % 1000000:06d}"
    base = {"county": county, "precinct": precinct, "attendees": 10, "final": {"Biden": 10},
            "first": {"Biden": 10}}
    if kind == "no-code":
        return "chair", json.dumps(base).encode()
    if kind == "wrong-code":
        return "chair", json.dumps({**base, "code": wrong}).encode()
    if kind == "wrong-signin":
        return "signin", json.dumps({"county": county, "precinct": precinct,
                                     "code": wrong}).encode()
    return "operator", json.dumps({**base, "code": wrong, "channel": "hotline"}).encode()
