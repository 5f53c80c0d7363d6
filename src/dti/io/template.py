"""The self-assessment workbook officials fill in, one unit and one period per file.

Sheet ``Thông tin`` names the unit, period, framework and group (so a workbook made for another
unit or framework is recognised when it comes back); sheet ``Tự đánh giá`` lists the framework's
tree with a row per indicator and the cells to fill in. :func:`dti.io.tables.read_values` reads
it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from dti.engine import (
    BooleanRule,
    CountRule,
    Framework,
    Node,
    PointsRule,
    RatioRule,
    TiersRule,
)
from dti.io.cells import neutralise
from dti.io.filled_template import TEMPLATE_HEADERS, TEMPLATE_INFO_SHEET, TEMPLATE_VALUES_SHEET

__all__ = ["FilledRow", "describe_rule", "write_template"]

SAFE_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def _vn(number: float) -> str:
    """A number as Vietnamese write it in prose: decimal comma (0,5)."""
    return f"{number:g}".replace(".", ",")


def describe_rule(node: Node) -> str:
    """How to fill in a leaf, in Vietnamese."""
    rule = node.rule
    if isinstance(rule, BooleanRule):
        return "Nhập 1 nếu đã thực hiện, 0 nếu chưa"
    if isinstance(rule, RatioRule):
        head = (
            "Nhập tỷ lệ phần trăm (0–100)"
            if rule.input == "percent"
            else "Nhập tử số vào Giá trị và mẫu số vào Mẫu số"
        )
        tail = f"; đạt tối đa khi tỷ lệ ≥ {rule.target:.0%}" if rule.target < 1 else ""
        floor = f"; dưới {rule.floor:.0%} được 0 điểm" if rule.floor > 0 else ""
        return head + tail + floor
    if isinstance(rule, TiersRule):
        steps = "; ".join(f"≥ {_vn(t.min)} → {_vn(t.points)} điểm" for t in rule.tiers)
        basis = "tỷ lệ (tử số/mẫu số)" if rule.basis == "ratio" else "giá trị"
        return f"Theo mức của {basis}: {steps}"
    if isinstance(rule, CountRule):
        return f"Nhập số lượng; {_vn(rule.per_item)} điểm mỗi đơn vị, tối đa {_vn(node.max)}"
    if isinstance(rule, PointsRule):
        return f"Điểm do chuyên gia chấm, từ 0 đến {_vn(node.max)}"
    return ""


@dataclass(frozen=True, slots=True)
class _Formats:
    """The workbook's cell formats (xlsxwriter formats belong to one workbook)."""

    bold: Any
    section: Any
    cell: Any
    entry: Any  # the cells to fill in
    wrap: Any

    @classmethod
    def of(cls, workbook: Any) -> _Formats:
        return cls(
            bold=workbook.add_format({"bold": True}),
            section=workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
            cell=workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
            entry=workbook.add_format({"border": 1, "bg_color": "#FFF2CC", "locked": False}),
            wrap=workbook.add_format({"text_wrap": True}),
        )


@dataclass(frozen=True, slots=True)
class FilledRow:
    """What a unit has already entered for one indicator, written into its template row."""

    value: float | None = None
    denominator: float | None = None
    not_applicable: bool = False
    explanation: str = ""
    evidence: str = ""  # the links attached, one a line


def write_template(
    framework: Framework,
    group: str,
    path: str | Path,
    *,
    unit: str = "",
    period: str = "",
    values: Mapping[str, FilledRow] | None = None,
) -> Path:
    """Write the workbook for ``group``; only indicators applying to that group are listed.
    ``values``: what the unit has entered so far, by indicator (written into the cells to
    fill in, so the workbook continues the work rather than starting it again)."""
    if group not in framework.group_codes():
        raise ValueError(
            f"group {group!r} is not in framework {framework.code} "
            f"({', '.join(framework.group_codes())})"
        )
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), SAFE_WORKBOOK_OPTIONS)
    formats = _Formats.of(workbook)
    _write_info_sheet(
        workbook.add_worksheet(TEMPLATE_INFO_SHEET),
        formats,
        framework,
        group,
        unit=unit,
        period=period,
    )
    _ValuesSheet(workbook.add_worksheet(TEMPLATE_VALUES_SHEET), formats, group, values or {}).write(
        framework
    )
    workbook.close()
    return path


def _write_info_sheet(
    info: Any, formats: _Formats, framework: Framework, group: str, *, unit: str, period: str
) -> None:
    info.set_column(0, 0, 18)
    info.set_column(1, 1, 60)
    group_name = next(g.name.vi for g in framework.groups if g.code == group)
    for r, (label, value) in enumerate(
        (
            ("Mã đơn vị", unit),
            ("Kỳ đánh giá", period),
            ("Bộ chỉ số", framework.code),
            ("Nhóm", group),
            ("Tên bộ chỉ số", framework.name.vi),
            ("Tên nhóm", group_name),
        )
    ):
        info.write_string(r, 0, label, formats.bold)
        info.write_string(r, 1, neutralise(value))
    info.write_string(7, 0, "Hướng dẫn", formats.bold)
    info.write_string(
        7,
        1,
        "Điền mã đơn vị và kỳ đánh giá ở trên (nếu trống), rồi điền các ô màu vàng ở trang "
        "'Tự đánh giá'. Đánh dấu x ở cột 'Không áp dụng' nếu chỉ số không áp dụng (chỉ được "
        "với các chỉ số cho phép). Không đổi tên trang, không thêm hoặc xoá cột.",
        formats.wrap,
    )


class _ValuesSheet:
    """The values sheet, written row by row: a section row per node with children, an entry
    row per leaf, for the nodes that apply to the group."""

    def __init__(
        self, sheet: Any, formats: _Formats, group: str, values: Mapping[str, FilledRow]
    ) -> None:
        self.sheet, self.formats, self.group, self.values = sheet, formats, group, values
        self.row = 1

    def write(self, framework: Framework) -> None:
        sheet = self.sheet
        widths = [10, 60, 10, 45, 12, 12, 12, 40, 40]
        for c, (header, width) in enumerate(zip(list(TEMPLATE_HEADERS), widths, strict=True)):
            sheet.write_string(0, c, header, self.formats.bold)
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 2)
        for pillar in framework.tree:
            self.emit(pillar, 0, True)
        for label, items in (
            ("Điểm thưởng", framework.adjustment_items("bonus")),
            ("Điểm trừ", framework.adjustment_items("penalty")),
        ):
            if items:
                sheet.write_string(self.row, 1, label, self.formats.section)
                self.row += 1
                for item in items:
                    self.emit(item, 1, True)

    def emit(self, node: Node, depth: int, inherited: bool) -> None:
        applies = self.group in node.applies_to if node.applies_to is not None else inherited
        if not applies:
            return
        sheet, row, formats = self.sheet, self.row, self.formats
        indent = "   " * depth
        self.row += 1
        if node.is_leaf:
            values: list[Any] = [node.code, indent + node.name.vi, node.max, describe_rule(node)]
            for c, v in enumerate(values):
                if isinstance(v, float):
                    sheet.write_number(row, c, v, formats.cell)
                else:
                    sheet.write_string(row, c, neutralise(str(v)), formats.cell)
            for c in range(4, 9):
                sheet.write_blank(row, c, None, formats.entry)
            if not node.na_allowed:
                sheet.write_string(row, 6, "", formats.cell)
            filled = self.values.get(node.code)
            if filled is not None:
                self.fill(row, filled)
            return
        sheet.write_string(row, 0, node.code, formats.section)
        sheet.write_string(row, 1, indent + node.name.vi, formats.section)
        sheet.write_number(row, 2, node.max, formats.section)
        for child in node.children:
            self.emit(child, depth + 1, True)

    def fill(self, row: int, filled: FilledRow) -> None:
        """The unit's entries in the row's cells (E value, F denominator, G not applicable,
        H explanation, I evidence); text is neutralised against formulas."""
        sheet, entry = self.sheet, self.formats.entry
        for c, number in ((4, filled.value), (5, filled.denominator)):
            if number is not None:
                sheet.write_number(row, c, number, entry)
        if filled.not_applicable:
            sheet.write_string(row, 6, "x", entry)
        for c, text in ((7, filled.explanation), (8, filled.evidence)):
            if text:
                sheet.write_string(row, c, neutralise(text), entry)
