"""Scoring room of the results app: which periods are public, and a period's values scored.

Load → compute: the assessments of a period (published ones only, for the public) become plain
value rows — the values that count, as :func:`dti.web.assessments.workflow.counted_values`
says — the engine scores them framework by framework, and the change against the previous
published period comes through unit lineage (``previous_derived`` marks a value derived from
merged predecessors). Nothing here writes; :mod:`.tables`, :mod:`.documents` and
:mod:`.comparison` build on what these functions return.

Caching: results of *published* assessments are cached under a key holding the periods involved
and their :class:`~dti.web.results.models.PublishedVersion` counters, which the workflow bumps on
every publication and reopening; previews of unpublished states are never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import polars as pl
from django.core.cache import cache

from dti.engine import Framework, Node, Registry, ScoreResult, score
from dti.web.assessments.calculations import UnitRow, ValueRow, units_frame, values_frame
from dti.web.assessments.models import Assessment, IndicatorEntry, Period, Status
from dti.web.assessments.workflow import (
    PUBLISHED,
    counted_values,
    counts_verified,
    verifier_values_count,
)
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_compiled
from dti.web.registry import selectors as registry_selectors
from dti.web.registry.models import UnitGroup
from dti.web.results.coverage import GroupCoverage, period_coverage, provisional_groups
from dti.web.results.models import PublishedVersion

# Names and lineage can change after publication without a bump: bound how long they linger.
CACHE_SECONDS = 3600
# Part of every key: bump it when a cached class moves or changes shape, so that entries a
# running release stored are never unpickled by the next one.
CACHE_LAYOUT = 4
ADJUSTMENT_SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "assessed": pl.Float64,
    "verified": pl.Float64,
    "reason": pl.String,
}

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


def any_period(year: int, province: str = "") -> Period | None:
    """For staff previews: the period of ``year`` (and ``province``) whatever its state."""
    qs = Period.objects.filter(year=year).order_by("province__name", "pk")
    if province:
        qs = qs.filter(province__code=province)
    return qs.first()


def previous_published(period: Period) -> Period | None:
    return next((p for p in published_periods(period.province_id) if p.year < period.year), None)


def published_history(period: Period, *, through: bool) -> list[tuple[Period, ScoreResult]]:
    """The published results, each on its own, of the periods of ``period``'s province before
    it (``through``: and up to it), newest first."""
    history = []
    for p in published_periods(period.province_id):
        if p.year < period.year or (through and p.year == period.year):
            result = raw_scores(p).result
            if result is not None:
                history.append((p, result))
    return history


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
    """``dti:results:<layout>:<kind>:<period>v<version>-<stamp>,…:<extra>`` — a new version,
    a new key."""
    tail = ":".join(str(e) for e in extra)
    return f"dti:results:{CACHE_LAYOUT}:{kind}:{_versions(periods)}:{tail}"


def cached(
    kind: str, periods: Iterable[Period], statuses: frozenset[Status], compute: Callable[[], T]
) -> T:
    """``compute()``, kept in the cache when it shows published results only."""
    if statuses != PUBLISHED:
        return compute()
    key = cache_key(kind, list(periods))
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


# -- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupInfo:
    """What the pages show of a unit group: its framework, pillars and bands."""

    code: str
    name: str
    framework: Framework
    pillars: tuple[tuple[str, str, float], ...]  # code, name, max
    bands: tuple[str, ...]  # best first
    decimals: int
    # English names where the framework (and the registry) has them, else the Vietnamese.
    name_en: str = ""
    pillar_names_en: tuple[str, ...] = ()
    band_names_en: tuple[str, ...] = ()

    def localised(self, language: str) -> GroupInfo:
        """The same group with its names in ``language`` (Vietnamese unless English)."""
        if not language.startswith("en"):
            return self
        pillars = tuple(
            (code, en or name, top)
            for (code, name, top), en in zip(self.pillars, self.pillar_names_en, strict=False)
        )
        bands = tuple(en or vi for vi, en in zip(self.bands, self.band_names_en, strict=False))
        return replace(
            self, name=self.name_en or self.name, pillars=pillars or self.pillars, bands=bands
        )


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
    # Group code → how much of the group these results cover (see .coverage).
    coverage: dict[str, GroupCoverage] = field(default_factory=dict)
    # Unit code → name of every unit of the registry compared through (predecessors included:
    # a derived value missing some names them).
    unit_names: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.result is None

    @property
    def provisional(self) -> list[GroupCoverage]:
        """The groups shown in part (each page, chart and export says so)."""
        return [
            c
            for c in provisional_groups(self.coverage)
            if any(g.code == c.code for g in self.groups)
        ]

    def group(self, code: str) -> GroupInfo | None:
        return next((g for g in self.groups if g.code == code), None)


def engine_registry(period: Period) -> Registry:
    """The units and lineage of the period's province, as the registry app builds them."""
    return registry_selectors.engine_registry(period.province)


def _value_rows(period: Period, a: Assessment, entries: list[IndicatorEntry]) -> list[ValueRow]:
    verified = counts_verified(a.status)
    return [
        ValueRow(a.unit.code, period.code, e.indicator, *counted_values(e, verified=verified))
        for e in entries
    ]


def _adjustments(
    period: Period, a: Assessment, entries: list[IndicatorEntry]
) -> list[dict[str, Any]]:
    """The indicators where the verifier's values count, with the points before and after."""
    if not counts_verified(a.status):
        return []
    points: dict[str, list[float | None]] = a.points or {}
    rows = []
    for e in entries:
        if verifier_values_count(e, verified=True):
            assessed, verified = points.get(e.indicator, [None, None])
            rows.append(
                {
                    "unit": a.unit.code,
                    "period": period.code,
                    "indicator": e.indicator,
                    "assessed": float(assessed or 0.0),
                    "verified": float(verified or 0.0),
                    "reason": e.verifier_reason,
                }
            )
    return rows


def _score_framework(
    period: Period,
    assessments: list[Assessment],
    registry: Registry | None,
    previous: pl.DataFrame | None,
    adjustments: list[dict[str, Any]],
) -> tuple[Framework, ScoreResult]:
    """The assessments of one framework version scored (their adjustments added on the way)."""
    version: FrameworkVersion = assessments[0].framework
    compiled = framework_compiled(version)
    values: list[ValueRow] = []
    units: list[UnitRow] = []
    for a in assessments:
        entries = list(a.entries.all())
        units.append(UnitRow(a.unit.code, a.unit.name, a.unit.group.code))
        values += _value_rows(period, a, entries)
        adjustments += _adjustments(period, a, entries)
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
        previous=previous,
    )
    return compiled.framework, result


def _applies(node: Node, group: str) -> bool:
    return node.applies_to is None or group in node.applies_to


def _group_info(group: UnitGroup, fw: Framework) -> GroupInfo:
    pillars = [p for p in fw.tree if _applies(p, group.code)]
    return GroupInfo(
        group.code,
        group.name,
        fw,
        tuple((p.code, p.name.vi, float(p.max)) for p in pillars),
        tuple(b.name.vi for b in fw.bands),
        fw.scale.decimals,
        name_en=group.name_en,
        pillar_names_en=tuple(p.name.get("en") for p in pillars),
        band_names_en=tuple(b.name.get("en") for b in fw.bands),
    )


def _merged(results: list[ScoreResult]) -> ScoreResult:
    def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(frames, how="diagonal_relaxed")

    return ScoreResult(
        framework=results[0].framework,
        units=concat([r.units for r in results]),
        pillars=concat([r.pillars for r in results]),
        groups=concat([r.groups for r in results]),
        indicators=concat([r.indicators for r in results]),
    )


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
    prev_frame = (
        previous.result.units.select("unit", "period", "score")
        if previous is not None and previous.result is not None
        else None
    )
    results: list[ScoreResult] = []
    frameworks: dict[str, Framework] = {}
    by_framework: dict[str, ScoreResult] = {}
    adjustments: list[dict[str, Any]] = []
    for part in by_version.values():
        fw, result = _score_framework(period, part, registry, prev_frame, adjustments)
        results.append(result)
        by_framework[fw.code] = result
        frameworks.update((a.unit.group.code, fw) for a in part)
    adjustment_frame = pl.DataFrame(adjustments, schema=ADJUSTMENT_SCHEMA)
    coverage = period_coverage(period, statuses)
    if not results:
        return PeriodScores(
            period.code, period.year, None, {}, {}, (), {}, adjustment_frame, None, statuses
        )
    unit_groups = {a.unit.group.code: a.unit.group for a in assessments}
    ordered = sorted(unit_groups.values(), key=lambda g: (g.order, g.code))
    return PeriodScores(
        period=period.code,
        year=period.year,
        result=_merged(results),
        frameworks=frameworks,
        by_framework=by_framework,
        groups=tuple(_group_info(g, frameworks[g.code]) for g in ordered),
        assessments={a.unit.code: a.pk for a in assessments},
        adjustments=adjustment_frame,
        previous_period=previous.period if previous and previous.result is not None else None,
        statuses=statuses,
        coverage=coverage,
        unit_names=(
            {str(u): str(n) for u, n in registry.units.select("unit", "name").iter_rows()}
            if registry is not None
            else {}
        ),
    )


def raw_scores(period: Period, statuses: frozenset[Status] = PUBLISHED) -> PeriodScores:
    """The period on its own (no comparison with an earlier one)."""
    return cached(
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

    return cached("scores", [period, *([before] if before else [])], statuses, compute)
