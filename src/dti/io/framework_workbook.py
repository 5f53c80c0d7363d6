"""A framework as the workbook officials write: the decision's appendix as a table.

Officials hold the appendix of the decision (*phụ lục*), a table — STT, indicator name, maximum
points, method — not YAML. This module writes every framework to such a workbook and reads one
back, losslessly: ``read_framework_workbook(write_framework_workbook(fw)) == fw``.

Sheets (Vietnamese names, in this order):

- ``Chỉ số`` — one row per node of the tree in the appendix's order: STT (the node's code),
  Cấp (1 = pillar, 2 = its indicators, …), names, maximum points, the method as the decision
  words it, then the rule (its kind and each parameter in its own column), the groups it
  applies to, whether N/A is allowed, direct input, evidence and the kinds of document it asks
  for (*quyết định, kế hoạch, báo cáo* …).
- ``Xếp loại`` — the bands; ``Mức hoàn thành`` — the completion levels; ``Nhóm`` — the
  comparison groups; ``Căn cứ`` — the source decisions; ``Cộng trừ điểm`` — bonus and penalty
  items (same columns as ``Chỉ số`` with the block first); ``Thông tin`` — the framework's own
  fields (code, version, name, years, scale …), one per row; ``Kiểm tra số liệu`` — the
  data-quality rules, one per row (optional when read).

Reading is bounded (:func:`dti.io.workbook.xlsx_sheets` checks the archive first) and every
problem names its sheet, row and column, the engine's own checks included: a problem the
engine finds in the assembled framework is located back at the cell it came from.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import xlsxwriter
import yaml

from dti.engine.errors import FrameworkError, Problem
from dti.engine.framework import Framework, Node, parse_framework
from dti.engine.messages import Message, say
from dti.io.workbook import Rows, cell_text, xlsx_sheets

__all__ = [
    "SHEETS",
    "framework_to_yaml",
    "framework_workbook_bytes",
    "read_framework_workbook",
    "write_framework_workbook",
]


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the field it holds
    header: str  # what officials read
    width: int = 14


# The indicator columns, shared by the tree and the bonus/penalty sheet.
NODE_COLUMNS = (
    Column("code", "STT", 8),
    Column("level", "Cấp", 6),
    Column("name_vi", "Tên chỉ số", 50),
    Column("name_en", "Tên tiếng Anh", 36),
    Column("max", "Điểm tối đa", 10),
    Column("description", "Phương pháp tính", 50),
    Column("rule", "Cách tính điểm", 16),
    Column("input", "Đầu vào tỷ lệ", 12),
    Column("target", "Tỷ lệ đạt tối đa", 12),
    Column("floor", "Tỷ lệ sàn", 10),
    Column("basis", "Mức tính theo", 12),
    Column("tiers", "Các mức (ngưỡng: điểm)", 24),
    Column("per_item", "Điểm mỗi mục", 10),
    Column("applies_to", "Áp dụng cho nhóm", 18),
    Column("na_allowed", "Cho phép N/A", 10),
    Column("direct_input", "Nhập trực tiếp", 12),
    Column("evidence", "Tài liệu kiểm chứng", 30),
    Column("evidence_kinds", "Loại tài liệu", 18),
)
ADJUSTMENT_COLUMNS = (Column("block", "Loại", 10), *NODE_COLUMNS)
LEVEL_COLUMNS = (
    Column("code", "Mã", 18),
    Column("name_vi", "Tên", 24),
    Column("name_en", "Tên tiếng Anh", 24),
    Column("min_percent", "Từ (% điểm tối đa)", 16),
    Column("strict", "Phải vượt ngưỡng", 14),
)
GROUP_COLUMNS = (
    Column("code", "Mã nhóm", 18),
    Column("name_vi", "Tên nhóm", 44),
    Column("name_en", "Tên tiếng Anh", 44),
)
SOURCE_COLUMNS = (
    Column("decision", "Số quyết định", 24),
    Column("date", "Ngày ban hành", 14),
    Column("issuer", "Cơ quan ban hành", 30),
    Column("url", "Đường dẫn", 40),
    Column("note", "Ghi chú", 60),
)
INFO_COLUMNS = (
    Column("key", "Trường", 18),
    Column("value", "Giá trị", 60),
    Column("meaning", "Ý nghĩa", 50),
)

QUALITY_COLUMNS = (
    Column("check", "Kiểm tra", 26),
    Column("indicator", "Chỉ số", 10),
    Column("other", "Chỉ số so sánh", 14),
    Column("min", "Tối thiểu", 10),
    Column("max", "Tối đa", 10),
    Column("max_change", "Biến động tối đa (tỷ lệ)", 14),
    Column("note_vi", "Ghi chú", 40),
    Column("note_en", "Ghi chú tiếng Anh", 30),
)

TREE, BANDS, LEVELS, GROUPS, SOURCES, ADJUSTMENTS, INFO, QUALITY = (
    "Chỉ số",
    "Xếp loại",
    "Mức hoàn thành",
    "Nhóm",
    "Căn cứ",
    "Cộng trừ điểm",
    "Thông tin",
    "Kiểm tra số liệu",
)
SHEETS = (TREE, BANDS, LEVELS, GROUPS, SOURCES, ADJUSTMENTS, INFO, QUALITY)
REQUIRED_SHEETS = (TREE, BANDS, LEVELS, GROUPS, SOURCES, INFO)

# The framework's own fields on the information sheet: key → meaning.
INFO_FIELDS = {
    "code": "Mã bộ chỉ số (chữ, số, dấu chấm, gạch)",
    "version": "Phiên bản",
    "name_vi": "Tên bộ chỉ số",
    "name_en": "Tên tiếng Anh",
    "years": "Các năm áp dụng, cách nhau bởi dấu phẩy",
    "status": "official (chính thức), partial (một phần), reconstructed (dựng lại)",
    "status_note": "Ghi chú về nguồn",
    "replaces": "Mã bộ chỉ số được thay thế",
    "scale_total": "Thang điểm",
    "scale_report": "raw (điểm đạt), rescaled (quy đổi về thang điểm), index (chỉ số 0–1)",
    "scale_decimals": "Số chữ số thập phân công bố",
    "scale_rounding": "half_up (làm tròn lên từ 5) hoặc half_even",
    "history": "So sánh đơn vị sáp nhập: mean (trung bình), weighted, sum",
    "history_partial": "Khi thiếu số liệu đơn vị tiền thân: partial hoặc refuse",
    "bonus_cap": "Tổng điểm thưởng tối đa",
    "penalty_cap": "Tổng điểm trừ tối đa",
}

# Rule kinds and their choices as officials write them (the codes are accepted too).
RULE_LABELS = {
    "boolean": "Có/Không",
    "ratio": "Tỷ lệ",
    "tiers": "Theo mức",
    "count": "Đếm số lượng",
    "points": "Chấm điểm",
}
INPUT_LABELS = {"fraction": "phân số", "percent": "phần trăm"}
BASIS_LABELS = {"value": "giá trị", "ratio": "tỷ lệ"}
BLOCK_LABELS = {"bonus": "Thưởng", "penalty": "Trừ"}
EVIDENCE_KIND_LABELS = {
    "decision": "quyết định",
    "plan": "kế hoạch",
    "report": "báo cáo",
    "regulation": "quy chế",
    "letter": "công văn",
    "other": "khác",
}
CHECK_LABELS = {
    "not_above": "Không lớn hơn chỉ số khác",
    "numerator_within": "Không lớn hơn mẫu số chỉ số khác",
    "jump": "Biến động so với kỳ trước",
    "range": "Trong khoảng hợp lý",
}
YES, NO = "Có", "Không"

_TIER = re.compile(r"^\s*(-?[\d.,]+)\s*:\s*([\d.,]+)\s*$")


# -- writing -----------------------------------------------------------------------------------


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _text_number(value: float) -> str:
    """A number as Vietnamese text (decimal comma, no grouping): for the tiers' list."""
    return str(_number(value)).replace(".", ",")


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _node_cells(node: Node, depth: int) -> dict[str, Any]:
    rule = node.rule
    cells: dict[str, Any] = {
        "code": node.code,
        "level": depth + 1,
        "name_vi": node.name.vi,
        "name_en": node.name.en,
        "max": _number(node.max),
        "description": node.description,
        "applies_to": ", ".join(node.applies_to) if node.applies_to is not None else None,
        "na_allowed": _yes(node.na_allowed),
        "direct_input": node.direct_input,
        "evidence": node.evidence,
        "evidence_kinds": ", ".join(EVIDENCE_KIND_LABELS[k] for k in node.evidence_kinds)
        if node.evidence_kinds is not None
        else None,
    }
    if rule is not None:
        cells["rule"] = RULE_LABELS[rule.type]
        params = rule.model_dump(exclude={"type"})
        if "input" in params:
            cells["input"] = INPUT_LABELS[params["input"]]
        for key in ("target", "floor", "per_item"):
            if key in params:
                cells[key] = _number(params[key])
        if "basis" in params:
            cells["basis"] = BASIS_LABELS[params["basis"]]
        if "tiers" in params:
            cells["tiers"] = "; ".join(
                f"{_text_number(t['min'])}: {_text_number(t['points'])}" for t in params["tiers"]
            )
    return cells


def _info_rows(framework: Framework) -> list[tuple[str, Any]]:
    scale = framework.scale
    values: dict[str, Any] = {
        "code": framework.code,
        "version": framework.version,
        "name_vi": framework.name.vi,
        "name_en": framework.name.en,
        "years": ", ".join(str(y) for y in framework.years),
        "status": framework.status,
        "status_note": framework.status_note,
        "replaces": framework.replaces,
        "scale_total": _number(scale.total),
        "scale_report": str(scale.report),
        "scale_decimals": scale.decimals,
        "scale_rounding": scale.rounding,
        "history": str(framework.history),
        "history_partial": framework.history_partial,
        "bonus_cap": _number(framework.bonus.cap) if framework.bonus else None,
        "penalty_cap": _number(framework.penalty.cap) if framework.penalty else None,
    }
    return list(values.items())


def framework_workbook_bytes(framework: Framework) -> bytes:
    """The appendix workbook as bytes (for a download: a framework's workbook is small)."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    ) as workbook:
        _write_all(workbook, framework)
    return buffer.getvalue()


def write_framework_workbook(framework: Framework, path: str | Path) -> Path:
    """Write ``framework`` as its appendix workbook at ``path`` (written whole or not at all)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        # (user text is never turned into formulas or links: a name may start with "=")
        with xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False}
        ) as workbook:
            _write_all(workbook, framework)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _write_all(workbook: Any, framework: Framework) -> None:
    head = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    pillar = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})

    def sheet(name: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> None:
        ws = workbook.add_worksheet(name)
        for i, column in enumerate(columns):
            ws.write_string(0, i, column.header, head)
            ws.set_column(i, i, column.width, wrap)
        ws.freeze_panes(1, 0)
        for r, cells in enumerate(rows, start=1):
            fmt = pillar if cells.get("level") == 1 else None
            for i, column in enumerate(columns):
                value = cells.get(column.key)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, i, value, fmt)
                else:
                    ws.write_number(r, i, value, fmt)

    sheet(TREE, NODE_COLUMNS, (_node_cells(n, d) for n, d in framework.walk()))
    sheet(BANDS, LEVEL_COLUMNS, (_level_cells(level) for level in framework.bands))
    sheet(LEVELS, LEVEL_COLUMNS, (_level_cells(level) for level in framework.completion_levels))
    sheet(
        GROUPS,
        GROUP_COLUMNS,
        ({"code": g.code, "name_vi": g.name.vi, "name_en": g.name.en} for g in framework.groups),
    )
    sheet(
        SOURCES,
        SOURCE_COLUMNS,
        (
            {
                "decision": s.decision,
                # (a date as dd/mm/yyyy text: the way the decision writes it, whatever the
                # spreadsheet's locale)
                "date": s.date.strftime("%d/%m/%Y") if s.date else None,
                "issuer": s.issuer,
                "url": s.url,
                "note": s.note,
            }
            for s in framework.sources
        ),
    )
    adjustments = []
    blocks: tuple[Literal["bonus", "penalty"], ...] = ("bonus", "penalty")
    for block in blocks:
        for item in framework.adjustment_items(block):
            for node, depth in item.walk():
                adjustments.append({"block": BLOCK_LABELS[block], **_node_cells(node, depth)})
    sheet(ADJUSTMENTS, ADJUSTMENT_COLUMNS, adjustments)
    sheet(
        INFO,
        INFO_COLUMNS,
        (
            {"key": key, "value": value, "meaning": INFO_FIELDS[key]}
            for key, value in _info_rows(framework)
        ),
    )
    sheet(
        QUALITY,
        QUALITY_COLUMNS,
        (
            {
                "check": CHECK_LABELS[str(rule.check)],
                "indicator": rule.indicator,
                "other": rule.other,
                "min": None if rule.min is None else _number(rule.min),
                "max": None if rule.max is None else _number(rule.max),
                "max_change": None if rule.max_change is None else _number(rule.max_change),
                "note_vi": rule.note.vi if rule.note else None,
                "note_en": rule.note.en if rule.note else None,
            }
            for rule in framework.quality
        ),
    )


def _level_cells(level: Any) -> dict[str, Any]:
    return {
        "code": level.code,
        "name_vi": level.name.vi,
        "name_en": level.name.en,
        "min_percent": _number(level.min_percent),
        "strict": _yes(level.strict),
    }


def framework_to_yaml(framework: Framework) -> str:
    """The framework as framework YAML (what the web stores and ``dti score`` reads)."""
    data = framework.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# -- reading -----------------------------------------------------------------------------------


@dataclass
class _Cell:
    """Where a value came from, to locate the engine's problems back in the workbook."""

    sheet: str
    row: int
    column: str


class _Reader:
    def __init__(self, file: str, sheets: Rows) -> None:
        self.file = file
        self.sheets = sheets
        self.problems: list[Problem] = []
        # node code → its row; (node code, field) → its cell; framework field → its cell
        self.node_rows: dict[str, _Cell] = {}
        self.cells: dict[tuple[str | None, str], _Cell] = {}

    def problem(
        self, message: Message, cell: _Cell | None = None, *, sheet: str | None = None
    ) -> None:
        if cell is None:
            self.problems.append(Problem(message, file=self.file, sheet=sheet))
        else:
            self.problems.append(
                Problem(message, file=self.file, sheet=cell.sheet, row=cell.row, column=cell.column)
            )

    def table(
        self, name: str, columns: Sequence[Column], *, required: bool = True
    ) -> list[tuple[int, dict[str, tuple[Any, _Cell]]]]:
        """The sheet's data rows as {key: (value, cell)}, found by their headers."""
        rows = self.sheets.get(name)
        if rows is None:
            if required:
                self.problem(say("framework_sheet_missing", sheet=name), sheet=name)
            return []
        if not rows:
            return []
        header = [str(h).strip() if (h := cell_text(v)) is not None else "" for v in rows[0]]
        positions: dict[str, int] = {}
        for column in columns:
            if column.header in header:
                positions[column.key] = header.index(column.header)
            elif column.key in ("code", "name_vi", "key", "decision"):
                self.problem(
                    say("framework_column_missing", column=column.header),
                    _Cell(name, 1, column.header),
                )
        found = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {}
            for key, i in positions.items():
                value = row[i] if i < len(row) else None
                if isinstance(value, str):
                    value = value.strip()
                if value is not None and value != "":
                    label = next(c.header for c in columns if c.key == key)
                    cells[key] = (value, _Cell(name, number, label))
            if cells:
                found.append((number, cells))
        return found

    # -- typed cells -------------------------------------------------------------------------
    def text(self, cells: dict[str, tuple[Any, _Cell]], key: str) -> str | None:
        if key not in cells:
            return None
        value, _cell = cells[key]
        if isinstance(value, dt.datetime | dt.date):
            return value.strftime("%d/%m/%Y")
        text = cell_text(value)
        return None if text is None else str(text)

    def number(self, cells: dict[str, tuple[Any, _Cell]], key: str) -> float | None:
        if key not in cells:
            return None
        value, cell = cells[key]
        if isinstance(value, bool):
            self.problem(say("not_a_number", value=value), cell)
            return None
        if isinstance(value, int | float):
            return float(value)
        parsed = _parse_number(str(value))
        if parsed is None:
            self.problem(say("not_a_number", value=value), cell)
        return parsed

    def choice(
        self, cells: dict[str, tuple[Any, _Cell]], key: str, labels: dict[str, str]
    ) -> str | None:
        text = self.text(cells, key)
        if text is None:
            return None
        by_label = {label.casefold(): code for code, label in labels.items()}
        code = by_label.get(text.casefold(), text if text in labels else None)
        if code is None:
            known = ", ".join(labels.values())
            self.problem(say("framework_not_a_choice", value=text, known=known), cells[key][1])
        return code

    def choices(
        self, cells: dict[str, tuple[Any, _Cell]], key: str, labels: dict[str, str]
    ) -> list[str] | None:
        """A cell listing several of ``labels`` (or their codes), separated by commas."""
        text = self.text(cells, key)
        if text is None:
            return None
        by_label = {label.casefold(): code for code, label in labels.items()}
        out = []
        for part in (p.strip() for p in re.split(r"[,;]", text)):
            if not part:
                continue
            code = by_label.get(part.casefold(), part if part in labels else None)
            if code is None:
                known = ", ".join(labels.values())
                self.problem(say("framework_not_a_choice", value=part, known=known), cells[key][1])
            else:
                out.append(code)
        return out

    def flag(self, cells: dict[str, tuple[Any, _Cell]], key: str) -> bool:
        text = self.text(cells, key)
        if text is None:
            return False
        folded = text.casefold()
        if folded in ("có", "x", "1", "true", "yes"):
            return True
        if folded in ("không", "0", "false", "no"):
            return False
        self.problem(say("framework_flag", value=text), cells[key][1])
        return False

    def remember(self, owner: str | None, cells: dict[str, tuple[Any, _Cell]]) -> None:
        for key, (_value, cell) in cells.items():
            self.cells[owner, key] = cell

    # -- the parts -----------------------------------------------------------------------------
    def node(self, cells: dict[str, tuple[Any, _Cell]], row_cell: _Cell) -> dict[str, Any]:
        code = self.text(cells, "code") or ""
        self.node_rows[code] = row_cell
        self.remember(code, cells)
        node: dict[str, Any] = {
            "code": code,
            "name": _name(self.text(cells, "name_vi"), self.text(cells, "name_en")),
            "max": self.number(cells, "max"),
        }
        rule = self.choice(cells, "rule", RULE_LABELS)
        if rule is not None:
            node["rule"] = self.rule(rule, cells)
        elif "rule" not in cells:  # (an unknown rule is reported once, by choice())
            for key in ("input", "target", "floor", "basis", "tiers", "per_item"):
                if key in cells:
                    self.problem(say("framework_parameter_without_rule"), cells[key][1])
        groups = self.text(cells, "applies_to")
        if groups is not None:
            node["applies_to"] = [g.strip() for g in re.split(r"[,;]", groups) if g.strip()]
        if self.flag(cells, "na_allowed"):
            node["na_allowed"] = True
        for key in ("direct_input", "description", "evidence"):
            text = self.text(cells, key)
            if text is not None:
                node[key] = text
        kinds = self.choices(cells, "evidence_kinds", EVIDENCE_KIND_LABELS)
        if kinds is not None:
            node["evidence_kinds"] = kinds
        return node

    def rule(self, kind: str, cells: dict[str, tuple[Any, _Cell]]) -> dict[str, Any]:
        rule: dict[str, Any] = {"type": kind}
        allowed = {
            "boolean": (),
            "points": (),
            "ratio": ("input", "target", "floor"),
            "tiers": ("basis", "tiers"),
            "count": ("per_item",),
        }[kind]
        for key in ("input", "target", "floor", "basis", "tiers", "per_item"):
            if key in cells and key not in allowed:
                self.problem(
                    say("framework_parameter_not_of_rule", rule=RULE_LABELS[kind]), cells[key][1]
                )
        if "input" in allowed and (value := self.choice(cells, "input", INPUT_LABELS)):
            rule["input"] = value
        for key in ("target", "floor", "per_item"):
            if key in allowed and (number := self.number(cells, key)) is not None:
                rule[key] = number
        if "basis" in allowed and (value := self.choice(cells, "basis", BASIS_LABELS)):
            rule["basis"] = value
        if kind == "tiers":
            rule["tiers"] = self.tiers(cells)
        return rule

    def tiers(self, cells: dict[str, tuple[Any, _Cell]]) -> list[dict[str, float]]:
        text = self.text(cells, "tiers")
        if text is None:
            self.problem(say("framework_tiers_missing"), None)
            return []
        tiers = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            match = _TIER.match(part)
            low = _parse_number(match.group(1)) if match else None
            points = _parse_number(match.group(2)) if match else None
            if low is None or points is None:
                self.problem(
                    say("framework_tier_malformed", part=part),
                    cells["tiers"][1],
                )
                continue
            tiers.append({"min": low, "points": points})
        return tiers

    def level(self, cells: dict[str, tuple[Any, _Cell]], owner: str) -> dict[str, Any]:
        code = self.text(cells, "code") or ""
        self.remember(f"{owner}:{code}", cells)
        level: dict[str, Any] = {
            "code": code,
            "name": _name(self.text(cells, "name_vi"), self.text(cells, "name_en")),
            "min_percent": self.number(cells, "min_percent"),
        }
        if self.flag(cells, "strict"):
            level["strict"] = True
        return level


def _parse_number(text: str) -> float | None:
    """A number written in a framework cell: 12,5 or 12.5 (no thousands grouping here: a
    framework's numbers are points and ratios)."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") + cleaned.count(".") > 1:
        return None
    try:
        return float(cleaned.replace(",", "."))
    except ValueError:
        return None


def _name(vi: str | None, en: str | None) -> dict[str, str]:
    name = {"vi": vi or ""}
    if en:
        name["en"] = en
    return name


def _tree(reader: _Reader, rows: list[tuple[int, dict[str, tuple[Any, _Cell]]]]) -> list[Any]:
    """Nest the rows by their level (Cấp): each row is a child of the last row one level up."""
    roots: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for number, cells in rows:
        row_cell = _Cell(TREE if "block" not in cells else ADJUSTMENTS, number, "STT")
        level = reader.number(cells, "level") if "level" in cells else 1.0
        node = reader.node(cells, row_cell)
        if level is None or not level.is_integer() or level < 1 or level > len(stack) + 1:
            where = cells["level"][1] if "level" in cells else row_cell
            reader.problem(
                say(
                    "framework_level_jump",
                    level=cells.get("level", ("?",))[0],
                    most=len(stack) + 1,
                ),
                where,
            )
            continue
        del stack[int(level) - 1 :]
        (stack[-1].setdefault("children", []) if stack else roots).append(node)
        stack.append(node)
    return roots


def read_framework_workbook(path: str | Path, *, file: str | None = None) -> Framework:
    """The framework a workbook laid out as :func:`write_framework_workbook` writes holds;
    :class:`FrameworkError` lists every problem by sheet, row and column."""
    path = Path(path)
    file = file or path.name
    sheets = xlsx_sheets(path, name=file)
    return framework_from_sheets(sheets, file=file)


def framework_from_sheets(sheets: Rows, *, file: str) -> Framework:
    reader = _Reader(file, sheets)
    raw: dict[str, Any] = {}
    info = {
        reader.text(cells, "key") or "": cells
        for _n, cells in reader.table(INFO, INFO_COLUMNS)
        if "key" in cells
    }
    for key, cells in info.items():
        if key not in INFO_FIELDS:
            reader.problem(say("framework_field_unknown", field=key), cells["key"][1])
        elif "value" in cells:
            reader.cells[None, key] = cells["value"][1]
    _info_into(reader, info, raw)
    raw["tree"] = _tree(reader, reader.table(TREE, NODE_COLUMNS))
    raw["bands"] = [reader.level(c, "bands") for _n, c in reader.table(BANDS, LEVEL_COLUMNS)]
    raw["completion_levels"] = [
        reader.level(c, "completion_levels") for _n, c in reader.table(LEVELS, LEVEL_COLUMNS)
    ]
    raw["groups"] = []
    for _n, cells in reader.table(GROUPS, GROUP_COLUMNS):
        code = reader.text(cells, "code") or ""
        reader.remember(f"groups:{code}", cells)
        raw["groups"].append(
            {
                "code": code,
                "name": _name(reader.text(cells, "name_vi"), reader.text(cells, "name_en")),
            }
        )
    raw["sources"] = [_source(reader, cells) for _n, cells in reader.table(SOURCES, SOURCE_COLUMNS)]
    _adjustments_into(reader, raw)
    _quality_into(reader, raw)
    if reader.problems:
        raise FrameworkError(reader.problems)
    try:
        return parse_framework(raw, file=file)
    except FrameworkError as exc:
        raise FrameworkError([_locate(reader, p) for p in exc.problems]) from None


def _quality_into(reader: _Reader, raw: dict[str, Any]) -> None:
    rules = []
    for _n, cells in reader.table(QUALITY, QUALITY_COLUMNS, required=False):
        rule: dict[str, Any] = {"check": reader.choice(cells, "check", CHECK_LABELS)}
        for key in ("indicator", "other"):
            if (text := reader.text(cells, key)) is not None:
                rule[key] = text
        for key in ("min", "max", "max_change"):
            if key in cells:
                rule[key] = reader.number(cells, key)
        if "note_vi" in cells or "note_en" in cells:
            rule["note"] = _name(reader.text(cells, "note_vi"), reader.text(cells, "note_en"))
        rules.append(rule)
    if rules:
        raw["quality"] = rules


def _info_into(reader: _Reader, info: dict[str, Any], raw: dict[str, Any]) -> None:
    def text(key: str) -> str | None:
        return reader.text(info[key], "value") if key in info else None

    def number(key: str) -> float | None:
        return reader.number(info[key], "value") if key in info else None

    for key in ("code", "version", "status", "status_note", "replaces"):
        if (value := text(key)) is not None:
            raw[key] = value
    raw["name"] = _name(text("name_vi"), text("name_en"))
    years = text("years")
    if years is not None:
        try:
            raw["years"] = [int(y) for y in re.split(r"[,;\s]+", years) if y]
        except ValueError:
            reader.problem(say("framework_years", value=years), info["years"]["value"][1])
    scale: dict[str, Any] = {}
    if (total := number("scale_total")) is not None:
        scale["total"] = total
    for key in ("report", "rounding"):
        if (value := text(f"scale_{key}")) is not None:
            scale[key] = value
    if (decimals := number("scale_decimals")) is not None:
        scale["decimals"] = int(decimals) if decimals.is_integer() else decimals
    raw["scale"] = scale
    for key in ("history", "history_partial"):
        if (value := text(key)) is not None:
            raw[key] = value
    for block in ("bonus", "penalty"):
        if (cap := number(f"{block}_cap")) is not None:
            raw[block] = {"cap": cap, "items": []}


def _source(reader: _Reader, cells: dict[str, tuple[Any, _Cell]]) -> dict[str, Any]:
    decision = reader.text(cells, "decision") or ""
    reader.remember(f"sources:{decision}", cells)
    source: dict[str, Any] = {"decision": decision}
    if "date" in cells:
        value, cell = cells["date"]
        if isinstance(value, dt.datetime):
            source["date"] = value.date()
        elif isinstance(value, dt.date):
            source["date"] = value
        else:
            try:
                source["date"] = dt.datetime.strptime(str(value), "%d/%m/%Y").date()
            except ValueError:
                reader.problem(say("framework_not_a_date", value=value), cell)
    for key in ("issuer", "url", "note"):
        if (text := reader.text(cells, key)) is not None:
            source[key] = text
    return source


def _adjustments_into(reader: _Reader, raw: dict[str, Any]) -> None:
    rows = reader.table(ADJUSTMENTS, ADJUSTMENT_COLUMNS, required=False)
    by_block: dict[str, list[tuple[int, dict[str, tuple[Any, _Cell]]]]] = {}
    for number, cells in rows:
        block = reader.choice(cells, "block", BLOCK_LABELS)
        if block is None:
            if "block" not in cells:
                reader.problem(say("framework_block_missing"), _Cell(ADJUSTMENTS, number, "Loại"))
            continue
        by_block.setdefault(block, []).append((number, cells))
    for block, block_rows in by_block.items():
        if block not in raw:
            first = block_rows[0][1]["block"][1]
            reader.problem(say("framework_cap_missing", block=block), first)
            continue
        raw[block]["items"] = _tree(reader, block_rows)


def _locate(reader: _Reader, problem: Problem) -> Problem:
    """An engine problem about the assembled framework, placed at the cell it came from."""
    field = (problem.field or "").split(".")
    head = field[0] if field else ""
    owner = problem.node
    cell: _Cell | None = None
    if owner is not None:
        key = {"name": "name_vi", "rule": "rule"}.get(head, head)
        if head == "name" and len(field) > 1 and field[1] == "en":
            key = "name_en"
        if head == "rule" and len(field) > 1:
            key = (
                field[1]
                if field[1] in ("input", "target", "floor", "basis", "per_item")
                else ("tiers" if field[1] == "tiers" else "rule")
            )
        for candidate in (
            owner,
            *(f"{p}:{owner}" for p in ("bands", "completion_levels", "groups", "sources")),
        ):
            cell = reader.cells.get((candidate, key)) or cell
            if cell is None and candidate in reader.node_rows:
                cell = reader.node_rows[candidate]
            if cell is not None:
                break
    else:
        key = {"name": "name_vi"}.get(head, head)
        if head == "scale" and len(field) > 1:
            key = f"scale_{field[1]}"
        if head in ("bonus", "penalty") and len(field) > 1 and field[1] == "cap":
            key = f"{head}_cap"
        cell = reader.cells.get((None, key))
        named = problem.params.get("code")
        if head in ("bands", "completion_levels", "groups") and isinstance(named, str):
            # a problem of a list that names its entry: at that entry's row (a duplicate at
            # its later use, an order at its threshold)
            ordered = problem.code in ("levels_not_decreasing", "last_level_not_zero")
            cell = reader.cells.get((f"{head}:{named}", "min_percent" if ordered else "code"))
        if cell is None and key in INFO_FIELDS:
            return Problem(
                say("framework_info_row_missing", problem=problem.message, field=key),
                file=reader.file,
                sheet=INFO,
                column="Trường",
            )
    if cell is None:
        return Problem(problem.message, file=reader.file, node=problem.node, field=problem.field)
    return Problem(
        problem.message,
        file=reader.file,
        sheet=cell.sheet,
        row=cell.row or None,
        column=cell.column,
        node=problem.node,
    )
