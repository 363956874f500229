"""``caucus precinct --jsonl``: one JSON precinct per input line, one JSON result per line.

Rule: rules.md §3-§5 via :func:`caucuskit.core.compute_precinct`. Kept free of Rich, the
database and the web stack, so a batch pays only for the math and JSON (issue 11).

Inputs: a text stream of JSON lines, the default ruleset. Outputs: JSON lines, and the count
of refused lines.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from caucuskit.cli.precinct_input import input_from_json, plain_line, rules_with_options
from caucuskit.core.errors import ValidationError
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.rules import RuleSet

#: One encoder for the whole batch (``json.dumps`` with options builds a new one per call).
_encode = json.JSONEncoder(ensure_ascii=False).encode


def run_batch(
    source: TextIO, out: TextIO, default_rules: RuleSet, *, worksheet: bool = False
) -> int:
    """Batch mode: one JSON object per input line, one JSON result per line, in order.

    Blank lines are skipped. A bad line gives ``{"error": ..., "problems": [...], "line": n}``
    and the batch goes on. Returns how many lines failed.
    """
    failed = 0
    loads, encode, write = json.loads, _encode, out.write
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        ident: object = None
        try:
            try:
                obj = loads(line)
            except json.JSONDecodeError as err:
                raise ValidationError.single("line", f"is not valid JSON ({err.msg})") from None
            rules, data = default_rules, plain_line(obj)
            if data is not None:
                ident = obj.get("id")
            else:  # not plainly well-formed: the model names every problem
                if isinstance(obj, dict):
                    ident = obj.get("id")
                rules, data = input_from_json(obj, default_rules)
            answer = compute_precinct(rules, data, worksheet=worksheet).to_dict(worksheet=worksheet)
        except ValidationError as err:
            failed += 1
            answer = {"error": str(err), "problems": err.as_dicts(), "line": number}
        if ident is not None:
            answer = {"id": ident, **answer}
        write(encode(answer) + "\n")
    out.flush()
    return failed


def fast_main(rules_name: str, worksheet: bool) -> int:
    """``caucus precinct --jsonl`` without loading Typer: the same output and exit codes."""
    try:
        rules = rules_with_options(rules_name)
    except ValidationError as err:
        problems = err.as_dicts()
        error = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        sys.stdout.write(json.dumps({"error": error, "problems": problems}, ensure_ascii=False))
        sys.stdout.write("\n")
        return 1
    failed = run_batch(sys.stdin, sys.stdout, rules, worksheet=worksheet)
    return 1 if failed else 0
