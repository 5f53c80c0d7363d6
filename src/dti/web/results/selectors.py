"""Reads of the results app: published scores from the engine, cached per publication.

Load → compute: the assessments of a period (published ones only, for the public) become plain
value rows, the engine scores them framework by framework, and the change against the previous
published period comes through unit lineage (``previous_derived`` marks a value derived from
merged predecessors). Nothing here writes; the views only format what these functions return.

Caching: results of *published* assessments are cached under a key holding the periods involved
and their :class:`~dti.web.results.models.PublishedVersion` counters, which the workflow bumps on
every publication and reopening; previews of unpublished states are never cached.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import polars as pl
from django.core.cache import cache

from dti.catalog import FRAMEWORK_DIR
from dti.engine import (
    Crosswalk,
    DataError,
    Framework,
    Registry,
    ScoreResult,
    attach_previous,
    compare_versions,
    load_crosswalk,
    score,
)
from dti.reports import DecisionHeader, appendix_pdf, appendix_xlsx, render, summarise
from dti.reports.charts import bar_totals, group_pillar_averages, score_histogram, unit_trend
from dti.reports.format import format_percent
from dti.reports.scorecard import Scorecard, scorecard_pdf, unit_scorecard
from dti.web.assessments.calculations import UnitRow, ValueRow, units_frame, values_frame
from dti.web.assessments.models import Assessment, IndicatorEntry, Period, Status, Verdict
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_compiled
from dti.web.registry import selectors as registry_selectors
from dti.web.results.models import Decision, PublishedVersion

PUBLISHED = frozenset({Status.PUBLISHED})
# What staff may preview before publication (verification finished).
FINAL = frozenset({Status.VERIFIED, Status.APPROVED, Status.PUBLISHED})
# What the appendix shows admin and leader before publication (the decision is signed on it).
APPENDIX_PREVIEW = frozenset({Status.APPROVED, Status.PUBLISHED})
# Names and lineage can change after publication without a bump: bound how long they linger.
CACHE_SECONDS = 3600
CROSSWALK_DIR = FRAMEWORK_DIR / "crosswalks"
PREVIOUS_COLUMNS = ("previous_period", "previous_score", "previous_derived", "change")

T = TypeVar("T")


# -- periods ----------------------------------------------------------------------------------


def published_periods(province_id: int | None = None) -> list[Period]:
    """Periods of one province (or of no province) with at least one published assessment,
    newest first: the only periods the public pages list."""
    periods = Period.objects.filter(assessments__status=Status.PUBLISHED)
    if province_id is None:
        periods = periods.filter(province__isnull=True)
    else:
        periods = periods.filter(province_id=province_id)
    return list(periods.distinct().order_by("-year"))


def public_provinces() -> list[tuple[int | None, str, str]]:
    """``(id, code, name)`` of every province with something published (None: no province)."""
    rows = (
        Period.objects.filter(assessments__status=Status.PUBLISHED)
        .values_list("province_id", "province__code", "province__name")
        .distinct()
        .order_by("province__name")
    )
    return [(pk, code or "", name or "") for pk, code, name in rows]


def published_period(year: int, province: str = "") -> Period | None:
    """The published period of ``year``; ``province`` (a code) picks among provinces, else the
    first by name (as the public page always did)."""
    qs = Period.objects.filter(year=year, assessments__status=Status.PUBLISHED)
    if province:
        qs = qs.filter(province__code=province)
    return qs.select_related("province").distinct().order_by("province__name", "pk").first()


def previous_published(period: Period) -> Period | None:
    return next((p for p in published_periods(period.province_id) if p.year < period.year), None)


# -- cache ------------------------------------------------------------------------------------


def _versions(periods: Iterable[Period]) -> str:
    ids = sorted({p.pk for p in periods})
    known = {
        pk: f"{version}-{stamp.hex}"
        for pk, version, stamp in PublishedVersion.objects.filter(period_id__in=ids).values_list(
            "period_id", "version", "stamp"
        )
    }
    return ",".join(f"{pk}v{known.get(pk, 0)}" for pk in ids)


def cache_key(kind: str, periods: Iterable[Period], *extra: object) -> str:
    """``dti:results:<kind>:<period>v<version>-<stamp>,…:<extra>`` — a new version, a new key."""
    tail = ":".join(str(e) for e in extra)
    return f"dti:results:{kind}:{_versions(periods)}:{tail}"


def _cached(
    kind: str, periods: Iterable[Period], statuses: frozenset[Status], compute: Callable[[], T]
) -> T:
    if statuses != PUBLISHED:
        return compute()
    key = cache_key(kind, list(periods))
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


# -- lineage ----------------------------------------------------------------------------------


def engine_registry(period: Period) -> Registry:
    """The units and lineage of the period's province, as the registry app builds them."""
    return registry_selectors.engine_registry(period.province)


# -- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupInfo:
    code: str
    name: str
    framework: Framework
    pillars: tuple[tuple[str, str, float], ...]  # code, name, max
    bands: tuple[str, ...]  # best first
    decimals: int


@dataclass(frozen=True)
class PeriodScores:
    """One period scored by the engine: plain data, safe to cache."""

    period: str
    year: int
    result: ScoreResult | None  # all groups merged; units carry previous_* through lineage
    frameworks: dict[str, Framework]  # group code → framework
    by_framework: dict[str, ScoreResult]  # framework code → that framework's own result
    groups: tuple[GroupInfo, ...]  # in the registry's group order
    assessments: dict[str, int]  # unit code → assessment id
    adjustments: pl.DataFrame  # unit, period, indicator, assessed, verified, reason
    previous_period: str | None = None
    statuses: frozenset[Status] = field(default=PUBLISHED)

    @property
    def empty(self) -> bool:
        return self.result is None

    def group(self, code: str) -> GroupInfo | None:
        return next((g for g in self.groups if g.code == code), None)


def _value_rows(period: Period, a: Assessment, entries: list[IndicatorEntry]) -> list[ValueRow]:
    final = a.status in FINAL
    rows = []
    for e in entries:
        adjusted = final and e.verdict == Verdict.ADJUSTED
        rows.append(
            ValueRow(
                a.unit.code,
                period.code,
                e.indicator,
                e.verified_value if adjusted else e.self_value,
                e.verified_denominator if adjusted else e.self_denominator,
                e.verified_applicable if adjusted else e.self_applicable,
            )
        )
    return rows


def _score_period(
    period: Period,
    statuses: frozenset[Status],
    *,
    previous: PeriodScores | None,
    registry: Registry | None,
) -> PeriodScores:
    assessments = list(
        period.assessments.filter(status__in=list(statuses))
        .select_related("unit__group", "framework")
        .prefetch_related("entries")
    )
    by_version: dict[int, list[Assessment]] = {}
    for a in assessments:
        by_version.setdefault(a.framework_id, []).append(a)
    results: list[ScoreResult] = []
    frameworks: dict[str, Framework] = {}
    by_framework: dict[str, ScoreResult] = {}
    adjustments: list[dict[str, Any]] = []
    prev_frame = (
        previous.result.units.select("unit", "period", "score")
        if previous is not None and previous.result is not None
        else None
    )
    for group_assessments in by_version.values():
        version: FrameworkVersion = group_assessments[0].framework
        compiled = framework_compiled(version)
        values: list[ValueRow] = []
        units: list[UnitRow] = []
        for a in group_assessments:
            entries = list(a.entries.all())
            units.append(UnitRow(a.unit.code, a.unit.name, a.unit.group.code))
            values += _value_rows(period, a, entries)
            points: dict[str, list[float | None]] = a.points or {}
            for e in entries:
                if a.status in FINAL and e.verdict == Verdict.ADJUSTED:
                    assessed, verified = points.get(e.indicator, [None, None])
                    adjustments.append(
                        {
                            "unit": a.unit.code,
                            "period": period.code,
                            "indicator": e.indicator,
                            "assessed": float(assessed or 0.0),
                            "verified": float(verified or 0.0),
                            "reason": e.verifier_reason,
                        }
                    )
        unit_codes = {u.unit for u in units}
        if registry is not None:
            # Every unit of the registry (predecessors included), so lineage resolves.
            units += [
                UnitRow(str(code), str(name), str(group))
                for code, name, group in registry.units.select("unit", "name", "group").iter_rows()
                if code not in unit_codes
            ]
        result = score(
            compiled,
            values_frame(values),
            units_frame(units),
            lineage=registry.edges if registry is not None else None,
            previous=prev_frame,
        )
        results.append(result)
        by_framework[compiled.framework.code] = result
        for a in group_assessments:
            frameworks[a.unit.group.code] = compiled.framework
    assessment_ids = {a.unit.code: a.pk for a in assessments}
    adjustment_frame = pl.DataFrame(
        adjustments,
        schema={
            "unit": pl.String,
            "period": pl.String,
            "indicator": pl.String,
            "assessed": pl.Float64,
            "verified": pl.Float64,
            "reason": pl.String,
        },
    )
    if not results:
        return PeriodScores(
            period.code, period.year, None, {}, {}, (), {}, adjustment_frame, None, statuses
        )
    merged = ScoreResult(
        framework=results[0].framework,
        units=pl.concat([r.units for r in results], how="diagonal_relaxed"),
        pillars=pl.concat([r.pillars for r in results], how="diagonal_relaxed"),
        groups=pl.concat([r.groups for r in results], how="diagonal_relaxed"),
        indicators=pl.concat([r.indicators for r in results], how="diagonal_relaxed"),
    )
    groups = []
    unit_groups = {a.unit.group.code: a.unit.group for a in assessments}
    for g in sorted(unit_groups.values(), key=lambda g: (g.order, g.code)):
        fw = frameworks[g.code]
        groups.append(
            GroupInfo(
                g.code,
                g.name,
                fw,
                tuple((p.code, p.name.vi, float(p.max)) for p in fw.tree if _applies(p, g.code)),
                tuple(b.name.vi for b in fw.bands),
                fw.scale.decimals,
            )
        )
    return PeriodScores(
        period=period.code,
        year=period.year,
        result=merged,
        frameworks=frameworks,
        by_framework=by_framework,
        groups=tuple(groups),
        assessments=assessment_ids,
        adjustments=adjustment_frame,
        previous_period=previous.period if previous and previous.result is not None else None,
        statuses=statuses,
    )


def _applies(node: Any, group: str) -> bool:
    return node.applies_to is None or group in node.applies_to


def raw_scores(period: Period, statuses: frozenset[Status] = PUBLISHED) -> PeriodScores:
    """The period on its own (no comparison with an earlier one)."""
    return _cached(
        "raw",
        [period],
        statuses,
        lambda: _score_period(period, statuses, previous=None, registry=None),
    )


def period_scores(period: Period, statuses: frozenset[Status] = PUBLISHED) -> PeriodScores:
    """The period with each unit's change against the previous published period (lineage)."""
    before = previous_published(period)

    def compute() -> PeriodScores:
        previous = raw_scores(before) if before is not None else None
        registry = engine_registry(period) if previous is not None else None
        return _score_period(period, statuses, previous=previous, registry=registry)

    return _cached("scores", [period, *([before] if before else [])], statuses, compute)


# -- the ranking tables -----------------------------------------------------------------------


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

    @property
    def arrow(self) -> str:
        if self.change is None or abs(self.change) < 1e-9:
            return ""
        return "▲" if self.change > 0 else "▼"


@dataclass(frozen=True)
class GroupTable:
    info: GroupInfo
    rows: tuple[RankRow, ...]
    size: int
    mean: float
    bands: tuple[tuple[str, int], ...]


def _opt(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def group_tables(scores: PeriodScores) -> list[GroupTable]:
    if scores.result is None:
        return []
    units = scores.result.units.sort("group", "rank", "name")
    pillar_points: dict[tuple[str, str], float] = {
        (str(u), str(p)): float(v)
        for u, p, v in scores.result.pillars.select("unit", "pillar", "points").iter_rows()
    }
    tables = []
    for info in scores.groups:
        part = units.filter(pl.col("group") == info.code)
        ranks = Counter(part["rank"].to_list())
        rows = []
        for r in part.iter_rows(named=True):
            band = str(r["band_name"])
            rows.append(
                RankRow(
                    unit=str(r["unit"]),
                    name=str(r["name"]),
                    rank=int(r["rank"]),
                    shared=ranks[r["rank"]] > 1,
                    score=float(r["score"]),
                    percent=float(r["percent"]),
                    band=band,
                    band_index=info.bands.index(band) if band in info.bands else 0,
                    pillars=tuple(
                        pillar_points.get((str(r["unit"]), code)) for code, _, _ in info.pillars
                    ),
                    previous_score=_opt(r.get("previous_score")),
                    previous_period=r.get("previous_period"),
                    change=_opt(r.get("change")),
                    derived=bool(r.get("previous_derived")),
                )
            )
        counts = Counter(row.band for row in rows)
        tables.append(
            GroupTable(
                info=info,
                rows=tuple(rows),
                size=len(rows),
                mean=sum(r.score for r in rows) / len(rows) if rows else 0.0,
                bands=tuple((b, counts[b]) for b in info.bands if counts[b]),
            )
        )
    return tables


def _fold(text: str) -> str:
    import unicodedata

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


def summary_text(scores: PeriodScores) -> str:
    if scores.result is None:
        return ""
    return summarise(scores.result, scores.period, frameworks=scores.frameworks)


# -- charts -----------------------------------------------------------------------------------

ChartFormat = Literal["png", "svg"]


def chart_names(scores: PeriodScores) -> list[str]:
    names = []
    for g in scores.groups:
        names += [f"totals-{g.code}", f"distribution-{g.code}"]
    return [*names, "pillars"] if scores.groups else []


def chart_spec(scores: PeriodScores, name: str) -> dict[str, Any]:
    if scores.result is None or name not in chart_names(scores):
        raise KeyError(name)
    frameworks = scores.frameworks
    if name == "pillars":
        return group_pillar_averages(scores.result, scores.period, frameworks=frameworks)
    kind, group = name.split("-", 1)
    build = bar_totals if kind == "totals" else score_histogram
    return build(scores.result, scores.period, group, frameworks=frameworks)


def chart(period: Period, scores: PeriodScores, name: str, fmt: ChartFormat) -> bytes:
    """A chart of the period rendered on the server (cached with the results)."""
    return _cached(
        f"chart:{name}:{fmt}",
        [period],
        scores.statuses,
        lambda: render(chart_spec(scores, name), fmt),
    )


def inline_svg(svg: bytes) -> str:
    """The SVG for embedding in the page: no XML prolog, scaled by CSS (viewBox kept)."""
    text = svg.decode("utf-8")
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    return text.strip()


# -- the unit scorecard -----------------------------------------------------------------------


def trend(unit: str, upto: Period) -> list[tuple[str, float]]:
    """The unit's own published score in every published period up to ``upto``."""
    points = []
    for p in sorted(published_periods(upto.province_id), key=lambda p: p.year):
        if p.year > upto.year:
            break
        result = raw_scores(p).result
        if result is None:
            continue
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
    return card


def unit_row(scores: PeriodScores, unit: str) -> RankRow | None:
    for table in group_tables(scores):
        for row in table.rows:
            if row.unit == unit:
                return row
    return None


def unit_charts(period: Period, scores: PeriodScores, unit: str) -> dict[str, str]:
    """The pillar profile and the trend as inline SVG."""
    from dti.reports.charts import pillar_profile

    assert scores.result is not None

    def build() -> dict[str, str]:
        assert scores.result is not None
        profile = pillar_profile(scores.result, unit, scores.period, frameworks=scores.frameworks)
        out = {"profile": inline_svg(render(profile, "svg"))}
        history = [
            r.units
            for p in published_periods(period.province_id)
            if p.year < period.year and (r := raw_scores(p).result) is not None
        ]
        combined = scores.result.with_units(
            pl.concat([*history, scores.result.units], how="diagonal_relaxed")
        )
        if combined.units.filter(pl.col("unit") == unit)["period"].n_unique() > 1:
            out["trend"] = inline_svg(render(unit_trend(combined, unit), "svg"))
        return out

    return _cached(f"unit-charts:{unit}", [period], scores.statuses, build)


def unit_pdf(scores: PeriodScores, unit: str) -> bytes:
    assert scores.result is not None
    return scorecard_pdf(
        scores.result,
        unit,
        scores.period,
        frameworks=scores.frameworks,
        adjustments=scores.adjustments,
    )


# -- comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    unit: str
    name: str
    rank: int
    previous_rank: int | None
    score: float
    previous_score: float | None
    change: float | None
    derived: bool

    @property
    def movement(self) -> int | None:
        """Places gained (positive) or lost since the earlier period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def arrow(self) -> str:
        if self.change is None or abs(self.change) < 1e-9:
            return ""
        return "▲" if self.change > 0 else "▼"


@dataclass(frozen=True)
class ComparablePart:
    crosswalk: str
    rows: tuple[dict[str, Any], ...]  # compare_versions columns per unit


@dataclass(frozen=True)
class Comparison:
    group: GroupInfo
    earlier: str
    later: str
    rows: tuple[CompareRow, ...]
    risers: tuple[CompareRow, ...]
    fallers: tuple[CompareRow, ...]
    mean: float
    previous_mean: float | None
    mean_change_percent: float | None
    same_framework: bool
    comparable: ComparablePart | None

    @property
    def sentence(self) -> str:
        """``điểm trung bình tăng 11,1% so với năm 2022``."""
        change = self.mean_change_percent
        if change is None:
            return ""
        if round(change, 1) > 0:
            verb = f"tăng {format_percent(change)}"
        elif round(change, 1) < 0:
            verb = f"giảm {format_percent(-change)}"
        else:
            verb = "không đổi"
        return f"Điểm trung bình {verb} so với năm {self.earlier}"


def _crosswalk(old: Framework, new: Framework) -> Crosswalk | None:
    path = CROSSWALK_DIR / f"{old.code}__{new.code}.yaml"
    return load_crosswalk(path) if path.exists() else None


def comparison(earlier: Period, later: Period, group: str) -> Comparison | None:
    """The group in two published periods side by side; None if the later has no such group."""
    old, new = raw_scores(earlier), raw_scores(later)

    def compute() -> Comparison | None:
        info = new.group(group)
        if info is None or new.result is None:
            return None
        current = new.result.units.filter(pl.col("group") == group).drop(
            [c for c in (*PREVIOUS_COLUMNS, "change_percent") if c in new.result.units.columns]
        )
        registry = engine_registry(later)
        before = (
            old.result.units.select("unit", "period", "score", "rank", "group")
            if old.result is not None
            else pl.DataFrame(
                schema={
                    "unit": pl.String,
                    "period": pl.String,
                    "score": pl.Float64,
                    "rank": pl.Int64,
                    "group": pl.String,
                }
            )
        )
        joined = attach_previous(
            current,
            registry,
            method=info.framework.history,
            decimals=info.decimals,
            previous=before.select("unit", "period", "score"),
        ).sort("rank", "name")
        ranks = {
            str(u): int(r) for u, r in before.select("unit", "rank").iter_rows() if u is not None
        }
        rows = tuple(
            CompareRow(
                unit=str(r["unit"]),
                name=str(r["name"]),
                rank=int(r["rank"]),
                previous_rank=None if r["previous_derived"] else ranks.get(str(r["unit"])),
                score=float(r["score"]),
                previous_score=_opt(r["previous_score"]),
                change=_opt(r["change"]),
                derived=bool(r["previous_derived"]),
            )
            for r in joined.iter_rows(named=True)
        )
        changed = [r for r in rows if r.change is not None]
        risers = sorted((r for r in changed if (r.change or 0) > 0), key=lambda r: -(r.change or 0))
        fallers = sorted((r for r in changed if (r.change or 0) < 0), key=lambda r: r.change or 0)
        mean = sum(r.score for r in rows) / len(rows) if rows else 0.0
        old_group = before.filter(pl.col("group") == group)["score"]
        previous_mean = float(old_group.mean()) if old_group.len() else None  # type: ignore[arg-type]
        percent = (
            (mean - previous_mean) / previous_mean * 100.0
            if previous_mean is not None and previous_mean != 0.0
            else None
        )
        old_fw = old.frameworks.get(group)
        same = old_fw is not None and old_fw.code == info.framework.code
        part = None
        if old_fw is not None and not same:
            crosswalk = _crosswalk(old_fw, info.framework)
            if crosswalk is not None:
                frame = compare_versions(
                    old.by_framework[old_fw.code],
                    new.by_framework[info.framework.code],
                    crosswalk,
                    registry,
                ).filter(pl.col("group") == group)
                part = ComparablePart(
                    f"{old_fw.code} → {info.framework.code}", tuple(frame.to_dicts())
                )
        return Comparison(
            group=info,
            earlier=earlier.code,
            later=later.code,
            rows=rows,
            risers=tuple(risers[:5]),
            fallers=tuple(fallers[:5]),
            mean=mean,
            previous_mean=previous_mean,
            mean_change_percent=percent,
            same_framework=same,
            comparable=part,
        )

    return _cached(f"compare:{group}", [earlier, later], PUBLISHED, compute)


# -- the decision appendix --------------------------------------------------------------------


def decision_header(period: Period) -> DecisionHeader:
    decision = Decision.objects.filter(period=period).first()
    if decision is None:
        return DecisionHeader()
    return DecisionHeader(
        issuer=decision.issuer, number=decision.number, date=decision.date, title=decision.title
    )


def appendix(period: Period, statuses: frozenset[Status], fmt: Literal["xlsx", "pdf"]) -> bytes:
    """The appendix of the decision; the header is read fresh (it is not part of the cache)."""
    scores = raw_scores(period, statuses)
    if scores.result is None:
        raise KeyError(period.code)
    header = decision_header(period)
    build = appendix_xlsx if fmt == "xlsx" else appendix_pdf
    return build(scores.result, scores.period, header, frameworks=scores.frameworks)
