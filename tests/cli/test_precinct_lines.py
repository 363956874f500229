"""The batch reads common lines without pydantic, and reads them exactly as pydantic would.

Issue 11: ``caucus precinct --jsonl`` at integer speed. :func:`plain_line` may only say "not
sure" (None) or give the very input :func:`input_from_json` (the ``BatchLine`` model) gives.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from caucuskit.cli.precinct_input import input_from_json, plain_line
from caucuskit.core import get_ruleset
from caucuskit.core.errors import ValidationError

RULES = get_ruleset("ia-2020")

names = st.one_of(
    st.sampled_from(["Biden", "Sanders", "", " A", "x" * 100, "y" * 101, "N\x00L"]),
    st.text(max_size=4),
    st.integers(0, 3),
)
counts = st.one_of(
    st.integers(-2, 50),
    st.sampled_from([100_000, 100_001, True, False, 1.0, "3", None]),
)
alignments = st.one_of(
    st.dictionaries(names, counts, max_size=6),
    st.dictionaries(st.sampled_from(["A", "B", "C"]), st.integers(0, 60)),
    st.dictionaries(st.text(min_size=1, max_size=3), st.just(1), min_size=38, max_size=42),
    st.lists(counts, max_size=2),
    st.none(),
)
scalars = st.one_of(
    st.integers(-1, 12), st.sampled_from([100_000, 100_001, 10**6, True, 2.0, "4", None])
)
values: dict[str, Any] = {
    "id": st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans(), st.floats()),
    "delegates": st.one_of(scalars, st.integers(0, 12)),
    "attendees": st.one_of(scalars, st.integers(0, 400)),
    "final": alignments,
    "first": alignments,
    "toss_winners": st.one_of(st.none(), st.lists(st.one_of(names, st.none()), max_size=3)),
    "rules": st.sampled_from(["ia-2016", "nope"]),
    "options": st.just({}),
    "extra": st.just(1),
}


@st.composite
def lines(draw: st.DrawFn) -> object:
    pool = draw(st.sampled_from([sorted(values), ["id", "first", "toss_winners"]]))
    keys = draw(st.sets(st.sampled_from(pool)))
    keys |= draw(st.sets(st.sampled_from(["delegates", "attendees", "final"])))
    obj = {key: draw(values[key]) for key in sorted(keys)}
    return draw(st.one_of(st.just(obj), st.sampled_from([[], "line", 3, None])))


@settings(max_examples=1500, deadline=None)
@given(lines())
def test_a_plain_line_is_read_as_the_model_reads_it(obj: object) -> None:
    quick = plain_line(obj)
    if quick is None:
        return
    rules, data = input_from_json(obj, RULES)  # raises if the model refuses the line
    assert rules is RULES
    assert data == quick
    assert list(data.final.items()) == list(quick.final.items())
    assert (data.first is None) == (quick.first is None)


def test_typical_lines_are_plain_and_refusals_are_left_to_the_model() -> None:
    good = {"id": 7, "delegates": 4, "attendees": 30, "final": {"A": 20, "B": 10}}
    assert plain_line(good) is not None
    for bad in (
        {**good, "delegates": True},
        {**good, "final": {"A": 1.0}},
        {**good, "final": {"": 3}},
        {**good, "rules": "ia-2016"},
        {**good, "unknown": 1},
        {**good, "attendees": 100_001},
    ):
        assert plain_line(bad) is None
        try:
            input_from_json(bad, RULES)
        except ValidationError:
            pass
