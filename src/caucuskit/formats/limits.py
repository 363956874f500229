"""The size limits of the input shapes, without pydantic (rules.md §9: raw counts only).

:mod:`caucuskit.formats.inputs` builds its pydantic field types from these numbers; the batch
of ``caucus precinct --jsonl`` reads plain lines with them before it needs pydantic at all
(:func:`caucuskit.cli.precinct_input.plain_line`), so both refuse the same inputs.
"""

from __future__ import annotations

#: Most people one input may count in a precinct room (the core's own cap, MAX_PEOPLE, is wider:
#: it guards the math; this one guards what a chair, a script or a file may send).
MAX_COUNT = 100_000
#: Most preference groups one alignment may name (a room, not a ballot of hundreds).
MAX_GROUPS = 40
#: Longest name of a preference group, in characters.
MAX_GROUP_NAME = 100
