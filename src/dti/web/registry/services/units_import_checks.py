"""Room: registry — the units import's checks, every problem located (sheet, row, column) and
in the user's language, all found before anything is written.

The file is checked against itself and the stored registry as plain frames: its groups are the
chosen province's, its predecessors, parents and lineage rows name known units, and the
engine's :class:`dti.engine.Registry` judges the stored lineage with the new edges **once**
(the import used to reload and re-judge the whole registry for every edge: quadratic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

import polars as pl
from django.utils.translation import gettext as _

from dti.engine import DataError, Problem, Registry
from dti.engine.lineage import edges_from_predecessors
from dti.web.problems import problem_message
from dti.web.registry.models import LineageKind, Province, UnitGroup
from dti.web.registry.selectors import EDGE_SCHEMA

__all__ = [
    "PlannedEdge",
    "column_edges",
    "continuing_as_absorbed",
    "group_problems",
    "located",
    "problem_text",
    "reference_problems",
    "registry_problems",
    "table_edges",
]


@dataclass(frozen=True)
class PlannedEdge:
    """An edge the import will record, and where the file gave it (for the messages)."""

    kind: LineageKind
    src: str
    dst: str
    weight: float | None
    date: dt.date | None
    basis: str
    origin: str  # "sheet …, row …, column …"


def located(sheet: str, row: int | None, column: str | None) -> str:
    """Where a cell is, in the user's words."""
    if row is None:
        return _("sheet %(sheet)s") % {"sheet": sheet}
    if column is None:
        return _("sheet %(sheet)s, row %(row)s") % {"sheet": sheet, "row": row}
    return _("sheet %(sheet)s, row %(row)s, column %(column)s") % {
        "sheet": sheet,
        "row": row,
        "column": column,
    }


def problem_text(problem: Problem, sheet: str) -> str:
    """A reader's or the engine's problem with its place and its message in the user's words
    (the message rendered from its code, :mod:`dti.web.problems`)."""
    where = located(problem.sheet or sheet, problem.row, problem.column)
    return f"{where}: {problem_message(problem)}"


def group_problems(
    frame: pl.DataFrame, groups: Mapping[str, UnitGroup], province: Province | None, sheet: str
) -> list[str]:
    """Every row whose group is not one of the province's, with the groups it has."""
    known = ", ".join(sorted(groups)) or _("none")
    owner = province.name if province is not None else _("the national level")
    return [
        _("%(where)s: unknown group '%(group)s' (the groups of %(owner)s: %(known)s)")
        % {"where": located(sheet, row, "group"), "group": group, "owner": owner, "known": known}
        for group, row in frame.select("group", "row").iter_rows()
        if group not in groups
    ]


def _predecessor_items(cell: str | None) -> list[tuple[str, str]]:
    """``"A;B:0.4"`` → ``[("A", ""), ("B", "0.4")]`` (empty items dropped)."""
    items = [item.partition(":") for item in (cell or "").split(";") if item.strip()]
    return [(code.strip(), weight.strip()) for code, _colon, weight in items]


def reference_problems(
    frame: pl.DataFrame,
    known: Collection[str],
    sheet: str,
    foreign: Mapping[str, str],
) -> list[str]:
    """Predecessors and parents that are neither in the file nor stored, weights that are not
    positive numbers, and rows naming a unit of another province (``foreign``: code → its
    province)."""
    problems = []
    for code, parent, preds, row in frame.select(
        "unit", "parent", "predecessors", "row"
    ).iter_rows():
        if code in foreign:
            problems.append(
                _("%(where)s: the unit '%(code)s' belongs to %(province)s")
                % {"where": located(sheet, row, "unit"), "code": code, "province": foreign[code]}
            )
        if parent and parent not in known:
            problems.append(
                _("%(where)s: the parent '%(parent)s' is neither in the file nor in the registry")
                % {"where": located(sheet, row, "parent"), "parent": parent}
            )
        for pred, weight in _predecessor_items(preds):
            where = located(sheet, row, "predecessors")
            if not pred:
                problems.append(_("%(where)s: a predecessor without a code") % {"where": where})
            elif pred not in known:
                problems.append(
                    _(
                        "%(where)s: the predecessor '%(pred)s' of '%(code)s' is neither in the "
                        "file nor in the registry"
                    )
                    % {"where": where, "pred": pred, "code": code}
                )
            if weight and _weight(weight) is None:
                problems.append(
                    _("%(where)s: the weight '%(weight)s' of '%(pred)s' is not a positive number")
                    % {"where": where, "weight": weight, "pred": pred}
                )
    return problems


def _weight(text: str) -> float | None:
    """A share as officials write it (0.4 or 0,4); None when it is not a positive number."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value > 0 else None


def column_edges(frame: pl.DataFrame, sheet: str) -> list[PlannedEdge]:
    """The ``predecessors`` column as edges, their kind inferred by the engine (merge, split,
    rename, or split_merge for a share of a split commune that goes into a merge), dated by the
    successor's first day and with its basis."""
    rows = {
        code: (row, first, basis or "")
        for code, row, first, basis in frame.select(
            "unit", "row", "valid_from", "basis"
        ).iter_rows()
    }
    cells = frame.select(
        "unit",
        pl.col("predecessors")
        .map_elements(
            lambda cell: ";".join(code for code, _w in _predecessor_items(cell)),
            return_dtype=pl.String,
        )
        .alias("predecessors"),
    )
    weights = {
        (code, pred): _weight(weight) if weight else None
        for code, cell in frame.select("unit", "predecessors").iter_rows()
        for pred, weight in _predecessor_items(cell)
    }
    edges = []
    for kind, src, dst in edges_from_predecessors(cells).select("kind", "from", "to").iter_rows():
        row, first, basis = rows[dst]
        edges.append(
            PlannedEdge(
                LineageKind(kind),
                src,
                dst,
                weights[(dst, src)],
                first,
                basis,
                located(sheet, row, "predecessors"),
            )
        )
    return edges


def table_edges(
    lineage: pl.DataFrame | None, known: Collection[str], sheet: str
) -> tuple[list[PlannedEdge], list[str]]:
    """The lineage table's rows as edges; every unknown unit or kind a located problem."""
    if lineage is None:
        return [], []
    edges, problems = [], []
    for n, row in enumerate(lineage.iter_rows(named=True), start=2):
        for side in ("from", "to"):
            if row[side] not in known:
                problems.append(
                    _("%(where)s: the unit '%(code)s' is neither in the file nor in the registry")
                    % {"where": located(sheet, n, side), "code": row[side]}
                )
        if row["kind"] not in LineageKind.values:
            problems.append(
                _("%(where)s: unknown kind '%(kind)s' (use %(kinds)s)")
                % {
                    "where": located(sheet, n, "kind"),
                    "kind": row["kind"],
                    "kinds": ", ".join(LineageKind.values),
                }
            )
            continue
        edges.append(
            PlannedEdge(
                LineageKind(row["kind"]),
                row["from"],
                row["to"],
                row["weight"],
                row["date"],
                row["basis"] or "",
                located(sheet, n, None),
            )
        )
    return edges, problems


def continuing_as_absorbed(edges: list[PlannedEdge]) -> list[PlannedEdge]:
    """A merge that names its successor among its sources (``DN;QNAM`` among Đà Nẵng's own
    predecessors, or a lineage row ``DN → DN``) is the continuing unit: stored as what it
    means, the others ``absorb``ed into it (a unit is never its own predecessor in the
    registry). Call after the engine has judged the edges as given."""
    continuing = {e.dst for e in edges if e.src == e.dst}
    return [
        replace(e, kind=LineageKind.ABSORB)
        if e.dst in continuing and e.kind == LineageKind.MERGE
        else e
        for e in edges
        if e.src != e.dst
    ]


def registry_problems(
    units: pl.DataFrame, stored: pl.DataFrame, edges: list[PlannedEdge]
) -> list[str]:
    """The engine judges the whole registry as it will be — the stored units and edges with
    the file's — once. Its problems about a new edge name the file's cell."""
    new = pl.DataFrame(
        [(e.date, e.kind.value, e.src, e.dst, e.weight, e.basis or None) for e in edges],
        schema=EDGE_SCHEMA,
        orient="row",
    )
    try:
        Registry.build(units.drop("predecessors", strict=False), pl.concat([stored, new]))
    except DataError as exc:
        out = []
        for problem in exc.problems:
            index = (problem.row or 0) - 1 - stored.height
            if problem.row is not None and 0 <= index < len(edges):
                out.append(f"{edges[index].origin}: {problem.message}")
            else:
                out.append(_("the registry's lineage: %(problem)s") % {"problem": problem.message})
        return out
    return []
