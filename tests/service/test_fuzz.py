"""Fuzz the API from its own OpenAPI description (schemathesis): no answer is a 500.

Bounded: a dozen examples per operation, a few hundred requests per database.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import given
from schemathesis.core.result import Ok

from caucuskit.services import credentials
from caucuskit.web.app import create_app
from service.fuzz_support import FUZZ_SETTINGS, auth_for
from service.service_support import ADAIR_ID, make_service


def fuzz_operation(op: Any, seen: dict[int, int]) -> None:
    """Fuzz one operation (desk and operator paths signed in, so the fuzz gets past auth)."""
    auth = auth_for(op)

    @FUZZ_SETTINGS
    @given(case=op.as_strategy())
    def run(case: schemathesis.Case[Any]) -> None:
        response = case.call(headers=auth)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, (case.method, case.path, response.text)
        if response.status_code >= 400 and case.method.upper() != "HEAD":  # HEAD has no body
            body = response.json()
            assert body["problems"], body
            assert all(p["field"] for p in body["problems"]), body

    run()


def test_openapi_fuzz_never_500(db_url: str) -> None:
    ctx = make_service(db_url)
    credentials.issue_codes(ctx, only=[ADAIR_ID])
    app = create_app(ctx.settings, ctx)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for r in schema.get_all_operations():
        assert isinstance(r, Ok), r
        operations.append(r.ok())
    assert len(operations) >= 15
    seen: dict[int, int] = {}
    for op in operations:
        fuzz_operation(op, seen)
    assert sum(seen.values()) >= len(operations)
    assert any(200 <= code < 300 for code in seen)
    print("fuzz:", sum(seen.values()), "requests", dict(sorted(seen.items())))
    ctx.db.dispose()


def test_openapi_documents_bounds_and_errors(tmp_path: Any) -> None:
    ctx = make_service(str(tmp_path / "o.sqlite"))
    spec = create_app(ctx.settings, ctx).openapi()
    for path in ("/api/v1/chair/reports", "/api/v1/chair/preview"):
        assert {"400", "422"} <= set(spec["paths"][path]["post"]["responses"])
    body = spec["components"]["schemas"]["ChairReportIn"]
    assert body["properties"]["attendees"]["maximum"] == 100000
    ctx.db.dispose()
