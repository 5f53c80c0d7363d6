"""A narrative paragraph in Vietnamese, the kind the provincial press prints after a decision.

Facts first (:func:`group_facts`: leader, units per band, lowest units, average and its change),
then sentences (:func:`summarise`). Everything is derived from the published scores and ranks
of a :class:`ScoreResult`, in a fixed order, so the same result always gives the same text::

    Nhóm Sở, ban, ngành gồm 20 đơn vị, trong đó có 17 đơn vị xếp loại tốt và 3 đơn vị xếp loại
    khá. Dẫn đầu là Sở Giao thông vận tải với 976 điểm; 3 vị trí thấp nhất là Sở Xây dựng đạt
    877 điểm, Sở Y tế 859 điểm và Sở Tài nguyên và Môi trường chỉ đạt 844 điểm.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dti.engine import DataError, Problem, ScoreResult
from dti.reports._common import FrameworksArg, group_infos, period_units, resolve_period
from dti.reports.format import format_percent, format_rank, format_score, locale_for

__all__ = [
    "GroupFacts",
    "UnitFacts",
    "group_facts",
    "join_vi",
    "overall_change",
    "summarise",
    "unit_facts",
]


@dataclass(frozen=True)
class UnitFacts:
    unit: str
    name: str
    group: str
    group_name: str
    rank: int
    group_size: int
    shared: bool  # another unit has the same rank
    score: float
    band_name: str
    previous_period: str | None
    previous_score: float | None
    decimals: int


@dataclass(frozen=True)
class GroupFacts:
    group: str
    name: str
    n: int
    bands: tuple[tuple[str, int], ...]  # (band name, units) best first, bands with units only
    leaders: tuple[tuple[str, float], ...]  # (unit name, score)
    lowest: tuple[tuple[str, float], ...]  # (unit name, score), higher first, the last lowest
    mean: float
    previous_period: str | None
    previous_mean: float | None
    previous_n: int
    decimals: int

    @property
    def mean_change_percent(self) -> float | None:
        if self.previous_mean is None or self.previous_mean == 0:
            return None
        return (self.mean - self.previous_mean) / self.previous_mean * 100.0


def join_vi(items: Sequence[str]) -> str:
    """``a``; ``a và b``; ``a, b và c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def _previous_means(
    result: ScoreResult, period: str, previous: ScoreResult | None
) -> dict[str, tuple[str, float, int]]:
    """Mean score per group in the period before ``period``: from ``previous`` if given, else
    from an earlier period in ``result`` itself."""
    source = previous if previous is not None else result
    frame = source.units.with_columns(pl.col("period").cast(pl.String)).filter(
        pl.col("period") < period
    )
    if frame.is_empty():
        return {}
    before = frame["period"].max()
    assert isinstance(before, str)
    means = (
        frame.filter(pl.col("period") == before)
        .group_by("group")
        .agg(pl.col("score").mean(), pl.len())
        .iter_rows()
    )
    return {str(g): (before, float(m), int(n)) for g, m, n in means}


def group_facts(
    result: ScoreResult,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    previous: ScoreResult | None = None,
    lowest: int = 3,
    language: str = "vi",
) -> list[GroupFacts]:
    """Per group: size, units per band, leader(s), the ``lowest`` last units, mean and change.

    ``lowest`` is capped at half the group. Units tied with the last of the ``lowest`` are
    included, so a cut never splits a tie.
    """
    period = resolve_period(result, period)
    prev = _previous_means(result, period, previous)
    out = []
    for code, info in group_infos(result, frameworks, language).items():
        rows = period_units(result, period, code)
        if rows.is_empty():
            continue
        names = rows["name"].to_list()
        scores = [float(s) for s in rows["score"].to_list()]
        ranks = rows["rank"].to_list()
        band_counts = dict(rows.group_by("band").len().iter_rows())
        band_names = {
            **dict(rows.select("band", "band_name").unique().iter_rows()),
            **dict(info.bands),  # the framework's names in ``language``
        }
        ordered = [b for b, _ in info.bands if b in band_counts]
        ordered += sorted(b for b in band_counts if b not in ordered)
        top = ranks[0]
        leaders = tuple((n, s) for n, s, r in zip(names, scores, ranks, strict=True) if r == top)
        # At most half the group, and never a leader: "the lowest" of 4 units is not 3 of them.
        take = max(0, min(lowest, len(names) // 2, len(names) - len(leaders)))
        low: tuple[tuple[str, float], ...] = ()
        if take:
            cut = ranks[-take]
            low = tuple(
                (n, s)
                for n, s, r in zip(names, scores, ranks, strict=True)
                if r >= cut and r != top
            )
        previous_period, previous_mean, previous_n = prev.get(code, (None, None, 0))
        out.append(
            GroupFacts(
                group=code,
                name=info.name,
                n=len(names),
                bands=tuple((band_names[b], int(band_counts[b])) for b in ordered),
                leaders=leaders,
                lowest=low,
                mean=sum(scores) / len(scores),
                previous_period=previous_period,
                previous_mean=previous_mean,
                previous_n=previous_n,
                decimals=info.decimals,
            )
        )
    return out


def unit_facts(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    language: str = "vi",
) -> UnitFacts:
    """One unit's rank, score and band in its group (by unit code or exact name)."""
    period = resolve_period(result, period)
    rows = period_units(result, period)
    match = rows.filter((pl.col("unit").cast(pl.String) == unit) | (pl.col("name") == unit))
    if match.is_empty():
        raise DataError(Problem(f"unit {unit!r} has no result for period {period}", column="unit"))
    row = match.row(0, named=True)
    info = group_infos(result, frameworks, language)[row["group"]]
    same_rank = rows.filter((pl.col("group") == row["group"]) & (pl.col("rank") == row["rank"]))
    previous_score = row.get("previous_score")
    return UnitFacts(
        unit=str(row["unit"]),
        name=row["name"],
        group=row["group"],
        group_name=info.name,
        rank=int(row["rank"]),
        group_size=int(row["group_size"]),
        shared=same_rank.height > 1,
        score=float(row["score"]),
        band_name=dict(info.bands).get(row["band"], row["band_name"]),
        previous_period=row.get("previous_period"),
        previous_score=(
            None if previous_score is None or math.isnan(previous_score) else float(previous_score)
        ),
        decimals=info.decimals,
    )


def _points(score: float, decimals: int) -> str:
    return f"{format_score(score, decimals)} điểm"


def _change_phrase(change: float | None, previous_period: str | None) -> str:
    if change is None or previous_period is None:
        return ""
    if round(change, 1) > 0:
        verb = f"tăng {format_percent(change)}"
    elif round(change, 1) < 0:
        verb = f"giảm {format_percent(-change)}"
    else:
        verb = "không đổi"
    return f"{verb} so với năm {previous_period}"


def _group_sentences(facts: GroupFacts) -> str:
    bands = join_vi([f"{n} đơn vị xếp loại {name.lower()}" for name, n in facts.bands])
    parts = [f"Nhóm {facts.name} gồm {facts.n} đơn vị, trong đó có {bands}."]
    leader_names = join_vi([name for name, _ in facts.leaders])
    leader_score = _points(facts.leaders[0][1], facts.decimals)
    if len(facts.leaders) > 1:
        lead = f"Dẫn đầu là {leader_names} cùng đạt {leader_score}"
    else:
        lead = f"Dẫn đầu là {leader_names} với {leader_score}"
    if len(facts.lowest) == 1:
        name, score = facts.lowest[0]
        lead += f"; thấp nhất là {name} với {_points(score, facts.decimals)}"
    elif facts.lowest:
        items = []
        last = len(facts.lowest) - 1
        for i, (name, score) in enumerate(facts.lowest):
            verb = "đạt " if i == 0 else ("chỉ đạt " if i == last else "")
            items.append(f"{name} {verb}{_points(score, facts.decimals)}")
        lead += f"; {len(facts.lowest)} vị trí thấp nhất là {join_vi(items)}"
    parts.append(lead + ".")
    mean = f"Điểm trung bình của nhóm đạt {_points(facts.mean, facts.decimals)}"
    change = _change_phrase(facts.mean_change_percent, facts.previous_period)
    parts.append(f"{mean}, {change}." if change else f"{mean}.")
    return " ".join(parts)


def _unit_sentence(facts: UnitFacts) -> str:
    shared = " (đồng hạng)" if facts.shared else ""
    text = (
        f"{facts.name} đứng vị trí thứ {format_rank(facts.rank)}{shared} trong nhóm "
        f"{facts.group_name} ({facts.group_size} đơn vị) với {_points(facts.score, facts.decimals)}"
        f", xếp loại {facts.band_name.lower()}"
    )
    if facts.previous_score is not None and facts.previous_period:
        text += f"; năm {facts.previous_period} đạt {_points(facts.previous_score, facts.decimals)}"
    return text + "."


def summarise(
    result: ScoreResult,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    unit: str | None = None,
    previous: ScoreResult | None = None,
    lowest: int = 3,
    language: str = "vi",
) -> str:
    """The summary of one period (the latest by default) as paragraphs separated by a blank line,
    in Vietnamese or (``language="en"``) English, with the framework's names in that language.

    ``frameworks`` names the groups of a result merged from several frameworks; ``previous``
    (results of an earlier period scored separately) gives the change in the average; ``unit``
    (code or exact name) adds that unit's position. Unit names are printed as given.
    """
    period = resolve_period(result, period)
    facts = group_facts(
        result, period, frameworks=frameworks, previous=previous, lowest=lowest, language=language
    )
    if locale_for(language) == "en":
        from dti.reports.summary_en import summarise_en

        one = (
            unit_facts(result, unit, period, frameworks=frameworks, language="en") if unit else None
        )
        return summarise_en(period, facts, one)
    total = sum(f.n for f in facts)
    if len(facts) > 1:
        intro = (
            f"Kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm {period} gồm {total} đơn vị, "
            f"chia thành {len(facts)} nhóm: {join_vi([f'{f.name} ({f.n})' for f in facts])}."
        )
    else:
        intro = f"Kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm {period} gồm {total} đơn vị."
    paragraphs = [intro]
    if unit is not None:
        paragraphs.append(_unit_sentence(unit_facts(result, unit, period, frameworks=frameworks)))
    paragraphs += [_group_sentences(f) for f in facts]
    overall = _overall_change(facts)
    if overall:
        paragraphs.append(overall)
    return "\n\n".join(paragraphs)


def overall_change(facts: list[GroupFacts]) -> tuple[float, str] | None:
    """The change in percent of the mean over all groups, weighted by size, and the period it
    is compared with; None unless every group has a previous mean from the same period."""
    known = [f for f in facts if f.previous_mean is not None and f.previous_period]
    if len(facts) < 2 or len(known) != len(facts):
        return None
    periods = {f.previous_period for f in known}
    if len(periods) != 1:
        return None
    mean = sum(f.mean * f.n for f in known) / sum(f.n for f in known)
    before = sum((f.previous_mean or 0.0) * f.previous_n for f in known) / sum(
        f.previous_n for f in known
    )
    if before == 0:
        return None
    return (mean - before) / before * 100.0, str(periods.pop())


def _overall_change(facts: list[GroupFacts]) -> str:
    change = overall_change(facts)
    if change is None:
        return ""
    return f"Tính chung các nhóm, điểm trung bình {_change_phrase(*change)}."
