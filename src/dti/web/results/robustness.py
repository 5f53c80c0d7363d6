"""Room: the robustness report before publication — load, then the engine computes.

The assessments whose scores rest on verified values (verified, approved, published: the
results the decision will sign) become two value tables per framework version — the values
that count (:func:`dti.web.assessments.workflow.counted_values`) and the units' own declared
values — and :func:`dti.engine.robustness` ranks every group under the perturbations the
admin chose. Nothing here writes; the page and the workbook read what this returns.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from dti.engine import Perturbations, RobustnessReport, robustness
from dti.io.cells import neutralise
from dti.web.assessments.calculations import UnitRow, ValueRow, units_frame, values_frame
from dti.web.assessments.models import Assessment, Period
from dti.web.assessments.workflow import FINAL, counted_values, counts_verified
from dti.web.frameworks.selectors import framework_compiled
from dti.web.registry.models import UnitGroup

__all__ = ["GroupReport", "period_robustness", "robustness_workbook"]


@dataclass(frozen=True)
class GroupReport:
    """One ranking set: the group, its scale, and the engine's rows (plain dicts) by rank."""

    code: str
    name: str
    framework: str
    decimals: int
    bands: dict[str, str]  # band code → name in the page's language
    rows: tuple[dict[str, Any], ...]

    @property
    def moving(self) -> int:
        return sum(1 for r in self.rows if not r["stable"])

    @property
    def near_ties(self) -> int:
        return sum(1 for r in self.rows if r["near_tie"])

    @property
    def band_edges(self) -> int:
        return sum(1 for r in self.rows if r["band_edge"])


def _tables(period: Period, assessments: list[Assessment]) -> tuple[pl.DataFrame, ...]:
    """Counted values, declared values and units of one framework version's assessments."""
    counted: list[ValueRow] = []
    declared: list[ValueRow] = []
    units: list[UnitRow] = []
    for a in assessments:
        verified = counts_verified(a.status)
        units.append(UnitRow(a.unit.code, a.unit.name, a.unit.group.code))
        for e in a.entries.all():
            counted.append(
                ValueRow(
                    a.unit.code, period.code, e.indicator, *counted_values(e, verified=verified)
                )
            )
            declared.append(
                ValueRow(
                    a.unit.code,
                    period.code,
                    e.indicator,
                    e.self_value,
                    e.self_denominator,
                    e.self_applicable,
                )
            )
    return values_frame(counted), values_frame(declared), units_frame(units)


def _named_neighbours(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with the name of its nearest unit (``nearest_name``), as pages name units."""
    names = {r["unit"]: r["name"] for r in rows}
    return [{**r, "nearest_name": names.get(r["nearest_unit"] or "", "")} for r in rows]


def period_robustness(
    period: Period, perturbations: Perturbations, language: str = "vi"
) -> list[GroupReport]:
    """Each group of ``period`` with verified results, in the registry's order."""
    assessments = list(
        period.assessments.filter(status__in=list(FINAL))
        .select_related("unit__group", "framework")
        .prefetch_related("entries")
    )
    by_version: dict[int, list[Assessment]] = {}
    for a in assessments:
        by_version.setdefault(a.framework_id, []).append(a)
    reports: list[RobustnessReport] = []
    for part in by_version.values():
        counted, declared, units = _tables(period, part)
        compiled = framework_compiled(part[0].framework)
        report = robustness(
            compiled, counted, units, declared=declared, perturbations=perturbations
        )
        reports.append(report)
    groups: dict[str, UnitGroup] = {a.unit.group.code: a.unit.group for a in assessments}
    out = []
    for report in reports:
        fw = report.framework
        bands = {b.code: b.name.get(language) or b.name.vi for b in fw.bands}
        for code, frame in report.units.partition_by("group", as_dict=True).items():
            group = groups[str(code[0])]
            name = (group.name_en or group.name) if language.startswith("en") else group.name
            out.append(
                GroupReport(
                    code=group.code,
                    name=name,
                    framework=fw.name.get(language) or fw.name.vi,
                    decimals=fw.scale.decimals,
                    bands=bands,
                    rows=tuple(_named_neighbours(frame.to_dicts())),
                )
            )
    order = {g.code: (g.order, g.code) for g in groups.values()}
    return sorted(out, key=lambda g: order.get(g.code, (0, g.code)))


def _interval(row: dict[str, Any], low: str, high: str) -> str:
    if row.get(low) is None:
        return ""
    return str(row[low]) if row[low] == row[high] else f"{row[low]}–{row[high]}"


def robustness_workbook(period: Period, groups: list[GroupReport], p: Perturbations) -> bytes:
    """The report as a workbook: the settings on the first sheet, one sheet per group."""
    out = io.BytesIO()
    # User text (unit names) is never a formula or a link in the file (see SECURITY.md).
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    about = book.add_worksheet(_("Settings")[:31])
    settings = [
        (_("Period"), neutralise(period.name)),
        (_("Values within their published precision (decimals)"), p.value_decimals),
        (_("Not applicable counted as zero"), _("Yes") if p.na_as_zero else _("No")),
        (_("Weight range (±%)"), p.weight_range * 100),
        (_("Weight draws"), p.draws),
        (_("Seed"), p.seed),
        (_("Near-tie margin (% of the scale)"), p.tie_margin),
        (_("Band-edge margin (percentage points)"), p.band_margin),
    ]
    for n, (label, value) in enumerate(settings):
        about.write_string(n, 0, label, bold)
        about.write(n, 1, "" if value is None else value)
    about.set_column(0, 0, 48)
    about.set_column(1, 1, 30)
    headers = [
        _("Rank"),
        _("Unit code"),
        _("Unit"),
        _("Score"),
        _("Band"),
        _("Rank interval"),
        _("Declared values"),
        _("N/A as zero"),
        _("Within precision"),
        _("Weights, 5th–95th percentile"),
        _("Weights (median)"),
        _("Bands reached"),
        _("Near tie with"),
        _("Gap"),
        _("Band edge: across"),
        _("Distance to the band threshold"),
    ]
    for i, g in enumerate(groups):
        sheet = book.add_worksheet(f"{i + 1} {neutralise(g.code)}"[:31])
        sheet.write_string(0, 0, neutralise(f"{g.name} — {g.framework}"), bold)
        sheet.write_row(1, 0, headers, bold)
        for n, r in enumerate(g.rows, start=2):
            bands = {g.bands.get(r["band_best"], ""), g.bands.get(r["band_worst"], "")}
            cells: list[Any] = [
                r["rank"],
                neutralise(r["unit"]),
                neutralise(r["name"]),
                r["score"],
                g.bands.get(r["band"], ""),
                _interval(r, "rank_best", "rank_worst"),
                r.get("rank_declared") or "",
                r.get("rank_na_zero") or "",
                _interval(r, "rank_precision_best", "rank_precision_worst"),
                _interval(r, "rank_weights_p05", "rank_weights_p95"),
                r.get("rank_weights_median") or "",
                " / ".join(sorted(b for b in bands if b)),
                neutralise(r["nearest_name"]) if r["near_tie"] else "",
                r["nearest_gap"] if r["near_tie"] else "",
                g.bands.get(r["band_across"] or "", "") if r["band_edge"] else "",
                r["band_gap"] if r["band_edge"] else "",
            ]
            for c, value in enumerate(cells):
                sheet.write(n, c, value)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 2, 36)
        sheet.set_column(3, 15, 14)
        sheet.freeze_panes(2, 3)
    book.close()
    return out.getvalue()
