"""Domain errors. Every error a user can cause carries a stable code, a message
(Simplified Chinese by default) and, where it applies, the field at fault.
The web layer maps them onto 4xx responses of one shape."""

from __future__ import annotations


class DomainError(Exception):
    """Base of all errors a user or client can cause; never a 500."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class DependencyDown(DomainError):
    """An outside system (core bank, SMS gateway) did not answer; the desk degrades."""

    status = 503
    code = "dependency_unavailable"
