"""Collecting the failures of vectorised checks as located problems for the user."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from dti.engine.compiled import I64
from dti.engine.errors import Problem
from dti.engine.messages import say

__all__ = ["MAX_PROBLEMS_PER_CHECK", "Problems"]

MAX_PROBLEMS_PER_CHECK = 20


class Problems:
    """Collects vectorised check failures as located problems, a bounded number per check."""

    def __init__(self, values: pl.DataFrame, source: str | None, codes: Sequence[str]):
        self.values = values
        self.source = source
        self.codes = codes
        self.items: list[Problem] = []

    def _row(self, i: int) -> int:
        """The user's row number: the ``row`` column if given, else the 1-based position."""
        if "row" in self.values.columns:
            row = self.values["row"][i]
            if row is not None:
                return int(row)
        return i + 1

    def check(
        self,
        bad: npt.NDArray[np.bool_],
        column: str,
        message: Callable[[int], str],
        ind: I64 | None = None,
    ) -> None:
        if bad.any():  # the common case, all good, costs one pass
            self.report(np.flatnonzero(bad), column, message, ind)

    def report(
        self, where: I64, column: str, message: Callable[[int], str], ind: I64 | None = None
    ) -> None:
        """Add a problem for each of the (ascending) row positions ``where``."""
        for i in where[:MAX_PROBLEMS_PER_CHECK]:
            node = self.codes[ind[i]] if ind is not None and ind[i] >= 0 else None
            self.items.append(
                Problem(
                    message(int(i)),
                    file=self.source,
                    row=self._row(int(i)),
                    column=column,
                    node=node,
                )
            )
        if len(where) > MAX_PROBLEMS_PER_CHECK:
            self.items.append(
                Problem(
                    say("more_rows_same_problem", count=len(where) - MAX_PROBLEMS_PER_CHECK),
                    file=self.source,
                    column=column,
                )
            )
