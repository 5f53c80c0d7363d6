"""The ``dti`` command group, and how its commands report bad input (exit status 2)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from dti.engine import DtiError

__all__ = ["EXIT_BAD_INPUT", "main", "reports_bad_input"]

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


def reports_bad_input(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DtiError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


@click.group(help="dti — digital-transformation index: frameworks, scoring and ranking.")
@click.version_option(package_name="dti")
def main() -> None:
    """Entry point."""
