"""The tables of the results service (SQLAlchemy 2 typed models).

Raw counts are stored as integer JSON, derived values (SDEs) as exact ``"p/q"`` text, never
``Float`` or ``Numeric``. ``report_versions``, ``decisions``, ``audit_log``, ``access_codes`` and
``chair_signins`` are insert-only: database triggers (see the first migration) refuse UPDATE and
DELETE on them. Rule: rules.md §9 (keep the raw inputs, derive the rest).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Tables that are only ever inserted into (triggers refuse UPDATE/DELETE).
APPEND_ONLY_TABLES: tuple[str, ...] = (
    "report_versions",
    "decisions",
    "audit_log",
    "access_codes",
    "chair_signins",
    "photos",
    "early_ballot_sets",
)

Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class ElectionRow(Base):
    """The election this database runs (one per database), with its full definition."""

    __tablename__ = "elections"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    ruleset: Mapped[str] = mapped_column(String(50))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(DateTime())
    certified_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)


class PrecinctRow(Base):
    """A reporting unit; ``slug`` is its public id."""

    __tablename__ = "precincts"
    __table_args__ = (UniqueConstraint("county", "name", name="uq_precinct_name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(300), unique=True)
    county: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(100))
    delegates: Mapped[int | None] = mapped_column(Integer, nullable=True)
    satellite: Mapped[bool] = mapped_column(Boolean, default=False)


class ResultsState(Base):
    """One row: the results version counter, bumped in every transaction that changes results."""

    __tablename__ = "results_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)


class AccessCode(Base):
    """A precinct access code (argon2 hash). The latest row per precinct is the valid one."""

    __tablename__ = "access_codes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime())
    issued_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500), default="")


class Account(Base):
    """A staff account (operator, desk, admin)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime())


class ChairSignin(Base):
    """A chair checked their access code (readiness; may happen days ahead)."""

    __tablename__ = "chair_signins"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime())
    client: Mapped[str] = mapped_column(String(100))


class Throttle(Base):
    """Failure counter of one key (``ip:<addr>``, ``code:<precinct>@ip:<addr>``,
    ``login:<user>``...; see services/throttle.py); updated in place."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)


class ReportVersion(Base):
    """One immutable precinct report as entered, with what the server derived from it."""

    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("actor", "idempotency_key", name="uq_version_idempotency"),
        Index("ix_version_precinct", "precinct_id", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    receipt: Mapped[str] = mapped_column(String(40), unique=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"))
    channel: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    client: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(DateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    attendees: Mapped[int] = mapped_column(Integer)
    first: Mapped[dict[str, Any]] = mapped_column(JSON)
    final: Mapped[dict[str, Any]] = mapped_column(JSON)
    tosses: Mapped[list[Any]] = mapped_column(JSON)
    worksheet: Mapped[dict[str, Any]] = mapped_column(JSON)
    delegates: Mapped[dict[str, Any]] = mapped_column(JSON)
    sde: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    pair_of: Mapped[int | None] = mapped_column(ForeignKey("report_versions.id"), nullable=True)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)


class Decision(Base):
    """A state change of a version (accepted, conflict, rejected, superseded, ...)."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decision_precinct", "precinct_id", "id"),
        Index("ix_decision_results_version", "results_version"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"))
    status: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime())
    results_version: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    """One line of the append-only audit log: every action, including refused ones."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime())
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(30))
    precinct_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    client: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class Snapshot(Base):
    """A built public snapshot (the aggregate documents) for one results version."""

    __tablename__ = "snapshots"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    etag: Mapped[str] = mapped_column(String(80))
    generated_at: Mapped[datetime] = mapped_column(DateTime())
    documents: Mapped[dict[str, Any]] = mapped_column(JSON)


class Photo(Base):
    """A photo of the signed worksheet, attached to one report version.

    One copy per picture and version (``sha256``); ``actor`` + ``idempotency_key`` make a resent
    upload answer the photo stored the first time (migration 0003; NULL on older rows).
    """

    __tablename__ = "photos"
    __table_args__ = (
        Index("uq_photo_idempotency", "actor", "idempotency_key", unique=True),
        Index("uq_photo_version_sha256", "version_id", "sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime())
    client: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EarlyBallotSet(Base):
    """A precinct's early ranked ballots as loaded by the party before caucus day (Nevada).

    Insert-only (migration 0006): a reload is a new row and the latest row of a precinct is the
    one in force. ``ballots`` is a list of choice lists; ``count`` and ``checksum`` are what the
    chair confirms on the worksheet (rules.md §4 NV, §11 Q9; core/early.py).
    """

    __tablename__ = "early_ballot_sets"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), index=True)
    ballots: Mapped[list[Any]] = mapped_column(JSON)
    count: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(20))
    loaded_at: Mapped[datetime] = mapped_column(DateTime())
    loaded_by: Mapped[str] = mapped_column(String(200))


class ChairSession(Base):
    """A chair's sign-in session (issue 11): the signed token names this row, which can be
    revoked; a new access code for the precinct ends every session made with the old one."""

    __tablename__ = "chair_sessions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("access_codes.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime())
    expires_at: Mapped[datetime] = mapped_column(DateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)
    client: Mapped[str] = mapped_column(String(100))


class ServiceSecret(Base):
    """Random secrets shared by every worker (the key that signs chair session tokens)."""

    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime())
