"""The engine's one exception hierarchy.

    DtiError
    ├── FrameworkError   a framework file is malformed (every problem listed)
    └── DataError        input data is malformed (every problem listed)

Each error carries a list of :class:`Problem`; each problem says *where* (file, sheet, row,
column, indicator code, field) and *what*. Messages are meant for officials, not programmers:
the *what* is a :class:`~dti.engine.messages.Message` (English, with the code and parameters
another layer renders in the user's language).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DataError", "DtiError", "FrameworkError", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    node: str | None = None
    field: str | None = None

    @property
    def code(self) -> str | None:
        """The message's code (see :data:`dti.engine.messages.ENGLISH`); ``None`` for plain
        text (the command line's own refusals)."""
        return getattr(self.message, "code", None)

    @property
    def params(self) -> dict[str, Any]:
        return dict(getattr(self.message, "params", {}))

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.node:
            parts.append(f"node {self.node}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class DtiError(Exception):
    """Base of every error the engine raises on bad input."""

    def __init__(self, problems: list[Problem] | Problem | str, *, title: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.title = title or self.default_title
        super().__init__(self.render())

    default_title = "invalid input"

    def render(self, limit: int = 200) -> str:
        lines = [f"{self.title} ({len(self.problems)} problem(s)):"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more")
        return "\n".join(lines)


class FrameworkError(DtiError):
    default_title = "invalid framework"


class DataError(DtiError):
    default_title = "invalid data"
