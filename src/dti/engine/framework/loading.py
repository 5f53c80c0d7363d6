"""Loading a framework: YAML text or a file, validated by the models and the semantic
checks, every pydantic error turned into a problem that names the node code and the field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dti.engine.errors import FrameworkError, Problem
from dti.engine.framework.models import RULE_TYPES, Framework
from dti.engine.framework.semantics import semantic_problems
from dti.engine.messages import Message, say
from dti.engine.safe_yaml import load_yaml

__all__ = ["load_framework", "parse_framework"]


def _locate(raw: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str]:
    """Turn a pydantic error location into (node code, field path) using the raw document."""
    code: str | None = None
    field_parts: list[str] = []
    cursor = raw
    for part in loc:
        # pydantic inserts the discriminator tag of a union member into the location.
        if (
            isinstance(part, str)
            and part in RULE_TYPES
            and not (isinstance(cursor, dict) and part in cursor)
        ):
            continue
        try:
            cursor = cursor[part]
        except (KeyError, IndexError, TypeError):
            field_parts.append(str(part))
            continue
        # A coded entry of a list (node, item, level, group) is what the problem is about; its
        # ``name`` may be the very field that is missing, so the code alone identifies it.
        coded = isinstance(cursor, dict) and isinstance(cursor.get("code"), str)
        if isinstance(part, int) and coded:
            code = cursor["code"]
            field_parts = []
        else:
            field_parts.append(str(part))
    return code, ".".join(field_parts) or "(node)"


# pydantic's error types by the code of the problem they are (the English detail stays
# pydantic's own message; the web says the kind of problem in the user's language).
_PYDANTIC_KINDS = {
    "too_small": ("greater_than", "greater_than_equal", "too_short"),
    "too_large": ("less_than", "less_than_equal", "too_long"),
    "not_allowed": ("literal_error", "enum"),
}


def _pydantic_message(err: Any) -> Message:
    kind: str = err["type"]
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag")
        return say("rule_unknown", rule=tag, rules=tuple(RULE_TYPES))
    if kind == "union_tag_not_found":
        return say("rule_without_type", rules=tuple(RULE_TYPES))
    if kind == "missing":
        return say("field_required")
    if kind == "extra_forbidden":
        return say("field_unknown")
    for code, kinds in _PYDANTIC_KINDS.items():
        if kind in kinds:
            return say(f"field_{code}", detail=err["msg"])
    if kind.endswith(("_type", "_parsing")):
        return say("field_wrong_type", detail=err["msg"])
    return say("field_invalid", detail=err["msg"])


def _pydantic_problems(exc: ValidationError, raw: Any, file: str | None) -> list[Problem]:
    problems = []
    for err in exc.errors():
        node, field = _locate(raw, tuple(err["loc"]))
        problems.append(Problem(_pydantic_message(err), file=file, node=node, field=field))
    return problems


def parse_framework(raw: Any, *, file: str | None = None) -> Framework:
    """Validate an already-parsed document; raise :class:`FrameworkError` listing every problem."""
    if not isinstance(raw, dict):
        raise FrameworkError(Problem(say("framework_not_mapping"), file=file))
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        raise FrameworkError(_pydantic_problems(exc, raw, file)) from None
    problems = semantic_problems(framework, file)
    if problems:
        raise FrameworkError(problems)
    return framework


def load_framework(source: str | Path | bytes, *, file: str | None = None) -> Framework:
    """Load a framework from a path, or from YAML text/bytes (then pass ``file`` for messages)."""
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and re.search(r"\.ya?ml$", source)
    ):
        path = Path(source)
        file = file or path.name
        try:
            data: str | bytes = path.read_bytes()
        except OSError as exc:
            raise FrameworkError(
                Problem(say("file_unreadable", reason=exc.strerror), file=file)
            ) from exc
    else:
        data = source
    return parse_framework(load_yaml(data, file=file), file=file)
