"""YAML loading that a hostile file cannot abuse.

Framework files are edited by hand and uploaded through the web, so they are parsed with
``SafeLoader`` (no Python tags) and, on top of that, anchors/aliases are refused: they are never
needed in a framework and they are what a "billion laughs" YAML bomb is built from.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent
from yaml.nodes import Node

from dti.engine.errors import FrameworkError, Problem
from dti.engine.messages import say

__all__ = ["MAX_YAML_BYTES", "load_yaml"]

MAX_YAML_BYTES = 2_000_000


# A framework is a handful of levels deep; PyYAML composes nodes recursively, so a file of
# thousands of nested brackets would exhaust the interpreter's stack (RecursionError).
MAX_DEPTH = 100
# Python refuses to convert integers of more than 4,300 digits (ValueError); no framework value
# comes near this.
MAX_INT_DIGITS = 30


class _NoAliasLoader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ComposerError(
                None, None, "anchors and aliases (*name) are not allowed", event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_bounded_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise ConstructorError(
                None, None, f"an integer of {digits:,} digits is too long", node.start_mark
            )
        return int(super().construct_yaml_int(node))


_NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _NoAliasLoader.construct_bounded_int)


def load_yaml(text: str | bytes, *, file: str | None = None) -> Any:
    """Parse YAML text safely; any failure becomes a :class:`FrameworkError`."""
    if len(text) > MAX_YAML_BYTES:
        raise FrameworkError(Problem(say("yaml_too_large", limit=MAX_YAML_BYTES), file=file))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FrameworkError(Problem(say("not_utf8", reason=exc.reason), file=file)) from exc
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        message = (
            say("yaml_invalid_at", line=mark.line + 1, column=mark.column + 1, detail=problem)
            if mark
            else say("yaml_invalid", detail=problem)
        )
        raise FrameworkError(Problem(message, file=file)) from exc
    except (ValueError, OverflowError) as exc:
        # A scalar PyYAML resolves but cannot build (a date such as 2025-02-30).
        raise FrameworkError(Problem(say("yaml_invalid", detail=str(exc)), file=file)) from exc
