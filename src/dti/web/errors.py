"""The one error hierarchy of the web services; each error has a stable code.

ServiceError          code "error"
├── Forbidden         "forbidden"        role or unit does not allow it   → HTTP 403
├── InvalidState      "invalid_state"    the workflow state does not allow it
├── DeadlinePassed    "deadline_passed"  the period's deadline is over
├── StaleVersion      "stale_version"    someone saved the entry in between
└── InvalidInput      "invalid_input"    data refused, every problem listed
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.functional import Promise


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str | Promise, *, problems: Sequence[str] = ()) -> None:
        self.message = str(message)
        self.problems = list(problems)
        super().__init__(self.message)


class Forbidden(ServiceError):  # noqa: N818 - named for what the user meets
    code = "forbidden"


class InvalidState(ServiceError):  # noqa: N818 - named for what the user meets
    code = "invalid_state"


class DeadlinePassed(ServiceError):  # noqa: N818 - named for what the user meets
    code = "deadline_passed"


class StaleVersion(ServiceError):  # noqa: N818 - named for what the user meets
    code = "stale_version"


class InvalidInput(ServiceError):  # noqa: N818 - named for what the user meets
    code = "invalid_input"
