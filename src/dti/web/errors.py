"""The one error vocabulary of the web services, the pages' JSON answers and the API.

ServiceError          code "invalid"          (the base; anything refused)
├── Forbidden         "forbidden"        403  role, province or unit does not allow it
├── NotFound          "not_found"        404  no such object, or one the user may not see
├── InvalidState      "wrong_state"      409  the workflow state does not allow it
├── DeadlinePassed    "deadline_passed"  409  the period's (or the unit's) deadline is over
├── StaleVersion      "conflict"         409  someone saved the entry in between
└── InvalidInput      "invalid"          422  data refused, every problem listed
    └── ConfirmationNeeded                    the action needs the user's explicit yes

The API (:mod:`dti.web.api.errors`) answers with the same codes and adds only what no service
raises: ``not_authenticated`` (401) and ``too_large`` (413, a body past the server's limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from django.utils.functional import Promise


class ErrorCode(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    DEADLINE_PASSED = "deadline_passed"
    WRONG_STATE = "wrong_state"
    INVALID = "invalid"
    TOO_LARGE = "too_large"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DEADLINE_PASSED: 409,
    ErrorCode.WRONG_STATE: 409,
    ErrorCode.INVALID: 422,
    ErrorCode.TOO_LARGE: 413,
}


class ServiceError(Exception):
    code = ErrorCode.INVALID

    def __init__(self, message: str | Promise, *, problems: Sequence[str] = ()) -> None:
        self.message = str(message)
        self.problems = list(problems)
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]


class Forbidden(ServiceError):  # noqa: N818 - named for what the user meets
    code = ErrorCode.FORBIDDEN


class NotFound(ServiceError):  # noqa: N818 - named for what the user meets
    code = ErrorCode.NOT_FOUND


class InvalidState(ServiceError):  # noqa: N818 - named for what the user meets
    code = ErrorCode.WRONG_STATE


class DeadlinePassed(ServiceError):  # noqa: N818 - named for what the user meets
    code = ErrorCode.DEADLINE_PASSED


class StaleVersion(ServiceError):  # noqa: N818 - named for what the user meets
    code = ErrorCode.CONFLICT


class InvalidInput(ServiceError):  # noqa: N818 - named for what the user meets
    code = ErrorCode.INVALID


class ConfirmationNeeded(InvalidInput):
    """Refused until the user confirms what the message and its problems list (the page asks,
    then repeats the request with the confirmation)."""
