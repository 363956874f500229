"""Results desk endpoints (docs/api.md "Results desk"); HTTP Basic, role desk or admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from caucuskit.services import change_effect, desk, photos
from caucuskit.services.context import PrecinctRef
from caucuskit.services.errors import ServiceError
from caucuskit.services.submit import submit_report
from caucuskit.web.api.deps import Staff, audit_refusal, client_of, ctx_of, role_check, staff
from caucuskit.web.api.models import DecisionIn, RecanvassIn
from caucuskit.web.api.reporting import ERRORS, IdemKey

router = APIRouter(prefix="/api/v1/desk", tags=["desk"], responses=ERRORS)
DESK = ("desk", "admin")


def desk_user(request: Request, who: Annotated[Staff, Depends(staff)]) -> Staff:
    role_check(request, who, DESK, "desk")
    return who


Desk = Annotated[Staff, Depends(desk_user)]


def _naive(at: datetime | None) -> datetime | None:
    if at is None or at.tzinfo is None:
        return at
    return at.astimezone(UTC).replace(tzinfo=None)


@router.get("/overview")
def overview(request: Request, who: Desk) -> dict[str, Any]:
    return desk.overview(ctx_of(request))


@router.get("/precincts")
def precincts(
    request: Request,
    who: Desk,
    state: Annotated[str, Query(max_length=20)] = "all",
    county: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    return {"precincts": desk.list_precincts(ctx_of(request), state, county)}


@router.get("/precincts/{precinct_id}")
def precinct(
    request: Request, who: Desk, precinct_id: Annotated[str, Path(max_length=300)]
) -> dict[str, Any]:
    return desk.precinct_history(ctx_of(request), precinct_id)


@router.get("/conflicts")
def conflicts(request: Request, who: Desk) -> dict[str, Any]:
    return {"conflicts": desk.conflicts(ctx_of(request))}


def _decide(
    request: Request, who: Staff, version_id: int, body: DecisionIn, accept: bool
) -> dict[str, Any]:
    ctx = ctx_of(request)
    try:
        return desk.decide(ctx, version_id, accept, body.reason, who.username, client_of(request))
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor=who.username,
            role=who.role,
            action="desk.accept" if accept else "desk.reject",
            detail={"version_id": version_id},
        )
        raise


VersionId = Annotated[int, Path(ge=1, le=2**62)]


@router.post("/versions/{version_id}/accept")
def accept(request: Request, who: Desk, version_id: VersionId, body: DecisionIn) -> dict[str, Any]:
    return _decide(request, who, version_id, body, True)


@router.post("/versions/{version_id}/reject")
def reject(request: Request, who: Desk, version_id: VersionId, body: DecisionIn) -> dict[str, Any]:
    return _decide(request, who, version_id, body, False)


@router.post("/recanvass", status_code=201)
def recanvass(
    request: Request,
    response: Response,
    who: Desk,
    body: RecanvassIn,
    idempotency_key: IdemKey = None,
) -> dict[str, Any]:
    """Enter a recanvass or recount version: accepted at once, superseding the current one."""
    ctx, client = ctx_of(request), client_of(request)
    p: PrecinctRef | None = None
    try:
        p = ctx.find_precinct(body.county, body.precinct, body.precinct_id)
        sub = submit_report(
            ctx,
            precinct=p,
            report=body.to_input(),
            actor=who.username,
            role="desk",
            channel=body.channel,
            client=client,
            idempotency_key=idempotency_key,
            reason=body.reason,
        )
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor=who.username,
            role=who.role,
            action=f"report.{body.channel}",
            precinct=p.pk if p else None,
        )
        raise
    response.status_code = 201 if sub.created else 200
    return sub.answer


@router.post("/preview")
def preview(request: Request, who: Desk, body: RecanvassIn) -> dict[str, Any]:
    """What a correction would change (delegates, SDEs, national delegates); stores nothing."""
    ctx = ctx_of(request)
    p = ctx.find_precinct(body.county, body.precinct, body.precinct_id)
    return change_effect.preview_correction(ctx, p, body.to_input())


@router.get("/diff")
def diff(
    request: Request,
    who: Desk,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    s, e = _naive(start), _naive(end)
    assert s is not None
    return change_effect.diff(ctx_of(request), s, e)


@router.get("/audit-log")
def audit_log(
    request: Request,
    who: Desk,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> dict[str, Any]:
    return {"entries": desk.audit_log(ctx_of(request), limit, before)}


@router.get("/photos/{photo_id}", response_class=Response)
def photo(request: Request, who: Desk, photo_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    """The photo itself (desk only: worksheets carry names); decoded by Pillow when it was
    accepted, served as an attachment-safe image that no browser may sniff or run."""
    content_type, data = photos.get_photo(ctx_of(request), photo_id)
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(content_type, "bin")
    return Response(
        content=data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="photo-{photo_id}.{ext}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


__all__ = ["Header", "router"]
