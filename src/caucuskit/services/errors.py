"""Errors the service layer raises; the web layer maps each to an HTTP status.

Every error names the field it is about (design: clear errors that name the field).
"""

from __future__ import annotations

from caucuskit.core.errors import CaucusError, Problem


class ServiceError(CaucusError):
    """A refused request: an HTTP status, a short code and the problems (field + message)."""

    status = 400
    code = "bad-request"

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str, field: str = "body"):
        if isinstance(problems, str):
            problems = [Problem(field, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def to_dict(self) -> dict[str, object]:
        return {
            "error": self.code,
            "message": str(self),
            "problems": [{"field": p.field, "message": p.message} for p in self.problems],
        }


class BadRequest(ServiceError):
    status, code = 400, "bad-request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not-found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class TooLarge(ServiceError):
    status, code = 413, "too-large"


class Invalid(ServiceError):
    status, code = 422, "validation"


class Throttled(ServiceError):
    status, code = 429, "throttled"

    def __init__(self, message: str, retry_after: int, field: str = "code") -> None:
        super().__init__(message, field)
        self.retry_after = max(1, int(retry_after))


class Unavailable(ServiceError):
    """503: the database is unreachable or the server is too busy; retry after a while."""

    status, code = 503, "unavailable"

    def __init__(self, message: str, retry_after: int, field: str = "database") -> None:
        super().__init__(message, field)
        self.retry_after = max(1, int(retry_after))
