"""The API's one error shape and its stable codes.

Every refusal answers ``{"error": {"code": ..., "message": ..., "details": [...]}}``:

    not_authenticated  401  no token, or a token that is unknown or revoked
    forbidden          403  the token's user may not do this (role or unit)
    not_found          404  no such object, or one the user may not see
    conflict           409  stale ``version``: someone saved the entry in between
    deadline_passed    409  the period's (or the unit's reopened) deadline is over
    wrong_state        409  the workflow state does not allow it
    invalid            422  the request or the data were refused; ``details`` locate each problem

The service layer's :class:`dti.web.errors.ServiceError` hierarchy maps onto these one to one.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from ninja import Schema

from dti.web import errors as service_errors


class ErrorCode(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    DEADLINE_PASSED = "deadline_passed"
    WRONG_STATE = "wrong_state"
    INVALID = "invalid"


STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DEADLINE_PASSED: 409,
    ErrorCode.WRONG_STATE: 409,
    ErrorCode.INVALID: 422,
}

# ServiceError.code → API code (anything else a service refuses is invalid input).
FROM_SERVICE: dict[str, ErrorCode] = {
    service_errors.Forbidden.code: ErrorCode.FORBIDDEN,
    service_errors.StaleVersion.code: ErrorCode.CONFLICT,
    service_errors.DeadlinePassed.code: ErrorCode.DEADLINE_PASSED,
    service_errors.InvalidState.code: ErrorCode.WRONG_STATE,
    service_errors.InvalidInput.code: ErrorCode.INVALID,
}


class ErrorDetail(Schema):
    """One located problem: ``loc`` is the path to it (e.g. ``["body", "entries", 2, "value"]``
    or ``["indicator", "1.2"]``)."""

    loc: list[str | int]
    message: str


class ErrorBody(Schema):
    code: ErrorCode
    message: str
    details: list[ErrorDetail]


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(Exception):
    def __init__(
        self,
        code: ErrorCode,
        message: str,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        self.code = code
        self.message = message
        self.details = list(details)
        super().__init__(message)

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def body(self) -> dict[str, Any]:
        return ErrorOut(
            error=ErrorBody(code=self.code, message=self.message, details=self.details)
        ).model_dump()


def from_service(error: service_errors.ServiceError, loc: Sequence[str | int] = ()) -> ApiError:
    """The API error for a service refusal; its problems become details located at ``loc``."""
    code = FROM_SERVICE.get(error.code, ErrorCode.INVALID)
    details = [ErrorDetail(loc=list(loc), message=p) for p in error.problems]
    return ApiError(code, error.message, details)


def not_found(what: str = "Not found.") -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, what)


# The responses every operation may give besides its success, for the OpenAPI schema.
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
