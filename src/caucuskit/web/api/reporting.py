"""Chair and operator endpoints: sign in, preview, submit (docs/api.md "Chair", "Operator").

Rule: rules.md §9 (raw inputs in, derived worksheet and receipt out; double entry by phone).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse

from caucuskit.services import credentials, photos, sessions
from caucuskit.services.context import Context, PrecinctRef, iso
from caucuskit.services.early_ballots import early_for
from caucuskit.services.errors import ServiceError
from caucuskit.services.public_units import unit_keys
from caucuskit.services.submit import derive, precinct_info, submit_report
from caucuskit.web.api.deps import (
    Bearer,
    Staff,
    audit_refusal,
    chair_auth,
    client_of,
    ctx_of,
    role_check,
    staff,
)
from caucuskit.web.api.models import (
    COMMON_ERRORS,
    ChairReportIn,
    ErrorOut,
    OperatorReportIn,
    PhotoIn,
    PreviewIn,
    SigninIn,
)

router = APIRouter(prefix="/api/v1")

IdemKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x20-\x7e]+$"),
]

ERRORS: dict[int | str, dict[str, Any]] = {
    **COMMON_ERRORS,
    401: {
        "model": ErrorOut,
        "description": "Wrong or missing access code / sign-in token / credentials",
    },
    403: {"model": ErrorOut, "description": "The account's role may not do this"},
    409: {
        "model": ErrorOut,
        "description": "Idempotency-Key reused with another body; same operator twice",
    },
    422: {"model": ErrorOut, "description": "Invalid report; `problems` name each field"},
    429: {"model": ErrorOut, "description": "Too many wrong codes; see Retry-After"},
}


def _current_summary(ctx: Context, p: PrecinctRef) -> dict[str, Any] | None:
    from caucuskit.services.submit import current_version

    with ctx.db.read() as s:
        v = current_version(s, p.pk)
        if v is None:
            return None
        return {
            "version_id": v.id,
            "receipt": v.receipt,
            "channel": v.channel,
            "entered_at": iso(v.entered_at),
            "delegates": v.delegates,
            "sde_display": v.answer.get("sde_display", {}),
        }


@router.post("/chair/signin", tags=["chair"], responses=ERRORS)
def chair_signin(body: SigninIn, request: Request, token: Bearer = None) -> dict[str, Any]:
    """Check a precinct access code, record the sign-in (desk readiness) and answer a sign-in
    token (``token``) that authenticates this precinct's reports until ``token_expires_at``.

    With a live token instead of the code, the token is renewed (no code check)."""
    ctx, client = ctx_of(request), client_of(request)
    p: PrecinctRef | None = None
    try:
        p = ctx.find_precinct(body.county, body.precinct, body.precinct_id)
        chair_auth(ctx, p, body.code, token, client)
        new_token, expires = sessions.issue(ctx, p, client)
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor=f"chair:{p.id if p else '?'}",
            role="chair",
            action="chair.signin",
            precinct=p.pk if p else None,
        )
        raise
    at, first = credentials.record_signin(ctx, p, client)
    return _unit(
        ctx,
        {
            "precinct": precinct_info(ctx, p),
            "signed_in_at": iso(at),
            "first_sign_in": first,
            "current": _current_summary(ctx, p),
            "token": new_token,
            "token_expires_at": iso(expires),
        },
    )


@router.post("/chair/preview", tags=["chair"], responses=ERRORS)
def chair_preview(body: PreviewIn, request: Request) -> dict[str, Any]:
    """Compute the worksheet of a report without storing anything."""
    ctx = ctx_of(request)
    try:
        p = ctx.find_precinct(body.county, body.precinct, body.precinct_id)
        d = derive(ctx, p, body.to_input())
    except ServiceError as exc:
        audit_refusal(request, exc, actor="anonymous", role="public", action="chair.preview")
        raise
    ws = d.worksheet or d.result.to_dict()  # Nevada: with early votes and card draws
    return _unit(
        ctx,
        {
            "precinct": precinct_info(ctx, p),
            "worksheet": ws,
            "sde": d.sde,
            "sde_display": d.sde_display,
            "delegates": d.delegates,
            "pending_tie": ws["pending_tie"],
        },
    )


def _answer(sub_answer: dict[str, Any], created: bool, ctx: Context) -> JSONResponse:
    """The stored answer as JSON, encoded once (its values are already JSON's: they are what
    the database keeps), without FastAPI's field-by-field encoder (1.1 ms a report, issue 11)."""
    return JSONResponse(
        _unit(ctx, sub_answer),
        status_code=201 if created else 200,
        headers=None if created else {"Idempotent-Replayed": "true"},
    )


def _stores(path: str, tag: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route of an endpoint that stores what it is sent: 201 when new, 200 on a replay,
    the stored answer as the body (``_answer``)."""
    return router.post(
        path, tags=[tag], status_code=201, responses=ERRORS, response_model=dict[str, Any]
    )


def _unit(ctx: Context, answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` with its value keys named for the election's unit: ``ccd_display``, not
    ``sde_display``, on a Nevada night (services/public_units.py, docs/adr/0011)."""
    out: dict[str, Any] = unit_keys(answer, ctx.election.unit)
    return out


@_stores("/chair/reports", "chair")
def chair_report(
    body: ChairReportIn,
    request: Request,
    token: Bearer = None,
    idempotency_key: IdemKey = None,
) -> JSONResponse:
    """Submit the precinct's raw counts; answers with the worksheet and a receipt.

    Authenticated by the sign-in token (``Authorization: Bearer``) or the access code."""
    ctx, client = ctx_of(request), client_of(request)
    p: PrecinctRef | None = None
    try:
        p = ctx.find_precinct(body.county, body.precinct, body.precinct_id)
        chair_auth(ctx, p, body.code, token, client)
        sub = submit_report(
            ctx,
            precinct=p,
            report=body.to_input(),
            actor=f"chair:{p.id}",
            role="chair",
            channel="chair",
            client=client,
            idempotency_key=idempotency_key,
        )
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor=f"chair:{p.id if p else '?'}",
            role="chair",
            action="report.chair",
            precinct=p.pk if p else None,
            detail={"idempotency_key": idempotency_key},
        )
        raise
    return _answer(sub.answer, sub.created, ctx)


@_stores("/operator/reports", "operator")
def operator_report(
    body: OperatorReportIn,
    request: Request,
    who: Annotated[Staff, Depends(staff)],
    idempotency_key: IdemKey = None,
) -> JSONResponse:
    """Hotline / paper entry by an operator (needs a matching second entry by another one)."""
    ctx, client = ctx_of(request), client_of(request)
    role_check(request, who, ("operator", "admin"), "report.operator")
    p: PrecinctRef | None = None
    try:
        p = ctx.find_precinct(body.county, body.precinct, body.precinct_id)
        chair_auth(ctx, p, body.code, None, client, account=who.username)
        sub = submit_report(
            ctx,
            precinct=p,
            report=body.to_input(),
            actor=who.username,
            role="operator",
            channel=body.channel,
            client=client,
            idempotency_key=idempotency_key,
        )
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor=who.username,
            role=who.role,
            action="report.operator",
            precinct=p.pk if p else None,
        )
        raise
    return _answer(sub.answer, sub.created, ctx)


@router.get("/operator/precincts/{precinct_id}/early", tags=["operator"], responses=ERRORS)
def operator_early(
    request: Request,
    who: Annotated[Staff, Depends(staff)],
    precinct_id: Annotated[str, Path(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """A precinct's early ranked ballots (Nevada; lists of choices, no voter data) so that the
    hotline console counts them locally as the chair's phone does (rules.md §4 NV, §11 Q9;
    docs/adr/0011). Deliberately without their count and checksum: those the operator hears
    from the caller, and the console checks them against the ballots."""
    ctx = ctx_of(request)
    role_check(request, who, ("operator", "admin"), "early.read")
    p = ctx.precinct_by_id(precinct_id)
    ballots = early_for(ctx, p) if ctx.election.rules.early_voting else None
    return {
        "precinct_id": p.id,
        "ballots": None if ballots is None else [list(b.choices) for b in ballots],
    }


@_stores("/chair/reports/{version_id}/photo", "chair")
def chair_photo(
    body: PhotoIn,
    request: Request,
    version_id: Annotated[int, Path(ge=1, le=2**62)],
    token: Bearer = None,
    idempotency_key: IdemKey = None,
) -> JSONResponse:
    """Attach a photo of the signed worksheet to a report version of the chair's precinct
    (sign-in token or access code; an unknown version answers like a wrong code).

    201 when stored; 200 with ``Idempotent-Replayed: true`` when this photo is already stored
    (a resend with the same Idempotency-Key, or the same picture for the same version)."""
    ctx, client = ctx_of(request), client_of(request)
    try:
        up = photos.add_photo(
            ctx,
            version_id,
            body.code,
            body.content_type,
            body.data,
            client,
            idempotency_key,
            token=token.credentials if token is not None else None,
        )
    except ServiceError as exc:
        audit_refusal(
            request,
            exc,
            actor="chair:?",
            role="chair",
            action="photo.add",
            detail={"version_id": version_id, "idempotency_key": idempotency_key},
        )
        raise
    return _answer(up.answer, up.created, ctx)
