"""One shape, one message: a bad count is named and explained the same way by the API, the CLI
batch and the report files (formats/inputs.py; rules.md §9: raw counts are the only input)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from caucuskit.cli.precinct_batch import run_batch
from caucuskit.core import IA_2020
from caucuskit.core.errors import ValidationError
from caucuskit.formats.canonical import FORMAT, reports_from_csv, reports_from_json
from caucuskit.formats.inputs import BatchLine, StoredReport, field_name, read_shape
from caucuskit.web.app import create_app
from service.service_support import ADAIR_ID, make_service

FINAL = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}

#: (what is wrong, the change to a good report, the field named, the message)
BAD: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "text count",
        {"final": {**FINAL, "Warren": "9"}},
        "final.Warren",
        "must be a whole number, got '9'",
    ),
    (
        "float count",
        {"final": {**FINAL, "Warren": 9.5}},
        "final.Warren",
        "must be a whole number, got 9.5",
    ),
    ("boolean count", {"attendees": True}, "attendees", "must be a whole number, got True"),
    (
        "negative count",
        {"first": {**FINAL, "Biden": -1}},
        "first.Biden",
        "must not be negative, got -1",
    ),
    (
        "huge count",
        {"attendees": 10**9},
        "attendees",
        "is implausibly large (1000000000; limit 100000)",
    ),
    ("alignment not an object", {"final": [6, 8]}, "final", "must be an object, got [6, 8]"),
    ("empty group name", {"final": {"": 3}}, "final", "must be a non-empty text, got ''"),
]
IDS = [b[0] for b in BAD]


def _problems(err: ValidationError) -> set[tuple[str, str]]:
    return {(p.field, p.message) for p in err.problems}


@pytest.mark.parametrize(("name", "change", "field", "message"), BAD, ids=IDS)
def test_cli_batch_names_the_field(
    name: str, change: dict[str, Any], field: str, message: str
) -> None:
    line = {"delegates": 8, "attendees": 40, "first": FINAL, "final": FINAL, **change}
    out = io.StringIO()
    assert run_batch(io.StringIO(json.dumps(line) + "\n"), out, IA_2020) == 1
    answer = json.loads(out.getvalue())
    assert {"field": field, "message": message} in answer["problems"]


@pytest.mark.parametrize(("name", "change", "field", "message"), BAD, ids=IDS)
def test_report_file_names_the_field(
    name: str, change: dict[str, Any], field: str, message: str
) -> None:
    report = {
        "county": "Adair",
        "precinct": "1NW ADAIR",
        "attendees": 40,
        "first": FINAL,
        "final": FINAL,
        **change,
    }
    text = json.dumps({"format": FORMAT, "reports": [report]})
    with pytest.raises(ValidationError) as info:
        reports_from_json(text, "r.json")
    assert (f"r.json reports[0].{field}", message) in _problems(info.value)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ctx = make_service(str(Path(tmp_path_factory.mktemp("inputs")) / "s.sqlite"))
    with TestClient(create_app(ctx.settings, ctx)) as c:
        yield c
    ctx.db.dispose()


@pytest.mark.parametrize(("name", "change", "field", "message"), BAD, ids=IDS)
def test_api_names_the_field(
    client: TestClient, name: str, change: dict[str, Any], field: str, message: str
) -> None:
    body = {"precinct_id": ADAIR_ID, "attendees": 40, "first": FINAL, "final": FINAL, **change}
    r = client.post("/api/v1/chair/preview", json=body)
    assert r.status_code == 422, r.text
    assert {"field": field, "message": message} in r.json()["problems"]


def test_csv_cells_get_the_same_words() -> None:
    text = "county,precinct,attendees,toss_winners,source_line,final:A\nPolk,P1,x,,,-1\n"
    with pytest.raises(ValidationError) as info:
        reports_from_csv(text, "r.csv")
    assert _problems(info.value) == {
        ("r.csv line 2, attendees", "must be a whole number, got 'x'"),
        ("r.csv line 2, final:A", "must not be negative, got -1"),
    }


def test_unknown_and_missing_keys() -> None:
    with pytest.raises(ValidationError) as info:
        read_shape(BatchLine, {"delegates": 8, "attendees": 40, "finale": FINAL})
    problems = _problems(info.value)
    assert ("final", "is missing") in problems
    assert any(
        f == "finale" and m.startswith("unknown key; known: attendees,") for f, m in problems
    )
    with pytest.raises(ValidationError, match="county: must be a non-empty text"):
        read_shape(StoredReport, {"county": "  ", "precinct": "P"})
    with pytest.raises(ValidationError, match="NUL"):
        read_shape(StoredReport, {"county": "A\x00", "precinct": "P"})


def test_field_names() -> None:
    assert field_name(("final", "Warren")) == "final.Warren"
    assert field_name(("toss_winners", 0)) == "toss_winners[0]"
    assert field_name(("final", "", "[key]")) == "final"
    assert field_name(()) == ""
