"""Tables room of the results app: what the pages show of scored periods.

The ranking tables of each group and their rows, the filters of the public page, the summary
text and a unit's scorecard, all read from :class:`~dti.web.results.scoring.PeriodScores`.
Plain data; :mod:`.documents` renders charts and files from the same scores.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from dti.engine import DataError
from dti.reports import summarise
from dti.reports.scorecard import Scorecard, unit_scorecard
from dti.web.assessments.models import Period
from dti.web.assessments.workflow import PUBLISHED
from dti.web.results.scoring import GroupInfo, PeriodScores, published_history


def optional_float(value: Any) -> float | None:
    """A frame's cell as a float, ``None`` where it is missing (null or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def change_arrow(change: float | None) -> str:
    """▲ for a rise, ▼ for a fall, nothing for no change or none known."""
    if change is None or abs(change) < 1e-9:
        return ""
    return "▲" if change > 0 else "▼"


@dataclass(frozen=True)
class RankRow:
    unit: str
    name: str
    rank: int
    shared: bool  # the rank is shared with another unit (a tie)
    score: float
    percent: float
    band: str
    band_index: int  # 0 = best band
    pillars: tuple[float | None, ...]  # points per pillar, in the group's pillar order
    previous_score: float | None
    previous_period: str | None
    change: float | None
    derived: bool
    # A derived previous value some predecessors had none for: it says so, naming them.
    partial: bool = False
    missing: tuple[str, ...] = ()  # names of the predecessors without a value

    @property
    def arrow(self) -> str:
        return change_arrow(self.change)


@dataclass(frozen=True)
class GroupTable:
    info: GroupInfo
    rows: tuple[RankRow, ...]
    size: int  # units of the whole group in the period, shown or not
    mean: float  # of the shown units' scores
    bands: tuple[tuple[str, int], ...]
    shown: int = 0  # units these results include
    missing: tuple[str, ...] = ()  # "code — name" of the group's units not included

    @property
    def provisional(self) -> bool:
        return bool(self.missing)


def missing_names(cell: Any, names: dict[str, str]) -> tuple[str, ...]:
    """``previous_missing`` (codes, ``;``-separated) as the units' names."""
    if not cell:
        return ()
    return tuple(names.get(code, code) for code in str(cell).split(";"))


def _rank_rows(
    info: GroupInfo,
    part: pl.DataFrame,
    pillar_points: dict[tuple[str, str], float],
    band_names: tuple[str, ...],
    names: dict[str, str],
) -> tuple[RankRow, ...]:
    ranks = Counter(part["rank"].to_list())
    rows = []
    for r in part.iter_rows(named=True):
        band = str(r["band_name"])
        band_index = info.bands.index(band) if band in info.bands else 0
        rows.append(
            RankRow(
                unit=str(r["unit"]),
                name=str(r["name"]),
                rank=int(r["rank"]),
                shared=ranks[r["rank"]] > 1,
                score=float(r["score"]),
                percent=float(r["percent"]),
                band=band_names[band_index] if band in info.bands else band,
                band_index=band_index,
                pillars=tuple(
                    pillar_points.get((str(r["unit"]), code)) for code, _, _ in info.pillars
                ),
                previous_score=optional_float(r.get("previous_score")),
                previous_period=r.get("previous_period"),
                change=optional_float(r.get("change")),
                derived=bool(r.get("previous_derived")),
                partial=bool(r.get("previous_partial")),
                missing=missing_names(r.get("previous_missing"), names),
            )
        )
    return tuple(rows)


def group_tables(scores: PeriodScores, language: str = "vi") -> list[GroupTable]:
    """One table per group, names in ``language``; sizes count the whole group (a group shown
    in part says how many of its units are in and lists the others)."""
    if scores.result is None:
        return []
    units = scores.result.units.sort("group", "rank", "name")
    pillar_points: dict[tuple[str, str], float] = {
        (str(u), str(p)): float(v)
        for u, p, v in scores.result.pillars.select("unit", "pillar", "points").iter_rows()
    }
    names = scores.unit_names
    tables = []
    for info in scores.groups:
        shown = info.localised(language)
        part = units.filter(pl.col("group") == info.code)
        rows = _rank_rows(info, part, pillar_points, shown.bands, names)
        counts = Counter(row.band for row in rows)
        coverage = scores.coverage.get(info.code)
        tables.append(
            GroupTable(
                info=shown,
                rows=rows,
                size=coverage.total if coverage else len(rows),
                mean=sum(r.score for r in rows) / len(rows) if rows else 0.0,
                bands=tuple((b, counts[b]) for b in shown.bands if counts[b]),
                shown=len(rows),
                missing=coverage.missing if coverage else (),
            )
        )
    return tables


def _fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


def filter_tables(
    tables: list[GroupTable], *, group: str = "", band: str = "", query: str = ""
) -> list[GroupTable]:
    """Only the asked group, band and names containing ``query`` (accents optional)."""
    needle = _fold(query.strip())
    out = []
    for table in tables:
        if group and table.info.code != group:
            continue
        rows = tuple(
            r
            for r in table.rows
            if (not band or r.band == band) and (not needle or needle in _fold(r.name))
        )
        out.append(replace(table, rows=rows))
    return out


def summary_text(scores: PeriodScores, language: str = "vi") -> str:
    if scores.result is None:
        return ""
    return summarise(scores.result, scores.period, frameworks=scores.frameworks, language=language)


# -- the unit scorecard -----------------------------------------------------------------------


def trend(unit: str, upto: Period) -> list[tuple[str, float]]:
    """The unit's own published score in every published period up to ``upto``."""
    points = []
    history = published_history(upto, through=True)
    for p, result in sorted(history, key=lambda item: item[0].year):
        match = result.units.filter(pl.col("unit") == unit)
        if match.height:
            points.append((p.code, float(match["score"][0])))
    return points


def unit_card(scores: PeriodScores, unit: str, upto: Period) -> Scorecard:
    if scores.result is None:
        raise KeyError(unit)
    try:
        card = unit_scorecard(
            scores.result,
            unit,
            scores.period,
            frameworks=scores.frameworks,
            adjustments=scores.adjustments,
        )
    except DataError as error:
        raise KeyError(unit) from error
    years = trend(unit, upto) if scores.statuses == PUBLISHED else []
    if len(years) > len(card.trend):
        card = replace(card, trend=tuple(years))
    coverage = scores.coverage.get(card.group)
    if coverage is not None:
        # "6/12" in a group of 30 read as a whole ranking: the size is the whole group's.
        card = replace(card, group_size=coverage.total)
    return card


def unit_row(scores: PeriodScores, unit: str, language: str = "vi") -> RankRow | None:
    for table in group_tables(scores, language):
        for row in table.rows:
            if row.unit == unit:
                return row
    return None
