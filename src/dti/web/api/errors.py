"""The API's one error shape and its stable codes.

Every refusal answers ``{"error": {"code": ..., "message": ..., "details": [...]}}``:

    not_authenticated  401  no token, or a token that is unknown or revoked
    forbidden          403  the token's user may not do this (role or unit)
    not_found          404  no such object, or one the user may not see
    conflict           409  stale ``version``: someone saved the entry in between
    deadline_passed    409  the period's (or the unit's reopened) deadline is over
    wrong_state        409  the workflow state does not allow it
    invalid            422  the request or the data were refused; ``details`` locate each problem
    too_large          413  the request body is past the server's limit

The codes are :class:`dti.web.errors.ErrorCode`, the same words the services and the pages'
JSON answers use: a service's refusal keeps its code here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema

from dti.web.errors import HTTP_STATUS, ErrorCode, ServiceError

__all__ = ["HTTP_STATUS", "ApiError", "ErrorCode", "ErrorOut", "from_service", "not_found"]


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
        return HTTP_STATUS[self.code]

    def body(self) -> dict[str, Any]:
        return ErrorOut(
            error=ErrorBody(code=self.code, message=self.message, details=self.details)
        ).model_dump()


def from_service(error: ServiceError, loc: Sequence[str | int] = ()) -> ApiError:
    """The API error for a service refusal; its problems become details located at ``loc``."""
    details = [ErrorDetail(loc=list(loc), message=p) for p in error.problems]
    return ApiError(error.code, error.message, details)


def not_found(what: str | None = None) -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, what if what is not None else _("Not found."))


# The responses every operation may give besides its success, for the OpenAPI schema.
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
