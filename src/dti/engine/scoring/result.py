"""What scoring hands back: the :class:`ScoreResult` tables, and the published rounding."""

from __future__ import annotations

from functools import cached_property

import polars as pl

from dti.engine.framework import Framework
from dti.engine.ranking import group_summary
from dti.engine.rounding import round_published

__all__ = ["ScoreResult", "round_published"]


class ScoreResult:
    """Results of one framework over one or more periods.

    ``units``: one row per unit × period. ``pillars``: one row per unit × period × pillar.
    ``groups``: one row per period × group, derived from ``units`` on first use unless given
    (a save scores one unit and never reads it). ``indicators``: one row per input value with
    its points, applicable maximum and completion level.
    """

    def __init__(
        self,
        *,
        framework: Framework,
        units: pl.DataFrame,
        pillars: pl.DataFrame,
        indicators: pl.DataFrame,
        groups: pl.DataFrame | None = None,
    ) -> None:
        self.framework = framework
        self.units = units
        self.pillars = pillars
        self.indicators = indicators
        if groups is not None:
            self.__dict__["groups"] = groups

    @cached_property
    def groups(self) -> pl.DataFrame:
        return group_summary(self.units, self.framework)

    def with_units(self, units: pl.DataFrame) -> ScoreResult:
        """The same result over other unit rows (e.g. with earlier periods' rows added); its
        group summary is derived from them."""
        return ScoreResult(
            framework=self.framework,
            units=units,
            pillars=self.pillars,
            indicators=self.indicators,
        )
