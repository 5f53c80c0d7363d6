"""Units that change over time: effective dates and lineage events.

Since 1 July 2025 districts are abolished and communes merged; provinces merged too. A unit has
the date it came into being and, where it ended, its last day, each with its legal basis. A
lineage table records events, one row per edge ``from → to``:

    date, kind, from, to, weight, basis

``kind`` is ``merge`` (several → one), ``split`` (one → several), ``rename`` (one → one),
``transfer`` (part of ``from`` moves to ``to``; both go on), ``split_merge`` (part of ``from``
goes into ``to`` together with other units: ``from`` is split between several successors and
``to`` is formed by a merge, as about 300 communes of 1 July 2025 were) or ``absorb`` (``to``
goes on under its own code and takes ``from`` in, as every province of 1 July 2025 kept one
predecessor's name).
A merge whose successor is one of its sources (a row ``from = to``) is the same continuing unit.
``weight`` is the optional share of the edge (population or area). Nothing here moves or deletes
a predecessor's own records: the registry only answers questions about them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from dti.engine.errors import DataError, Problem
from dti.engine.messages import Message, say

__all__ = ["LINEAGE_COLUMNS", "Absorption", "EventKind", "Registry", "edges_from_predecessors"]

LINEAGE_COLUMNS = ("date", "kind", "from", "to", "weight", "basis")
EDGE_SCHEMA = pl.Schema(
    {
        "date": pl.Date,
        "kind": pl.String,
        "from": pl.String,
        "to": pl.String,
        "weight": pl.Float64,
        "basis": pl.String,
    }
)


class EventKind(StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    TRANSFER = "transfer"
    ABSORB = "absorb"
    SPLIT_MERGE = "split_merge"


# The kinds by which a predecessor hands on only a share of itself.
SHARING_KINDS = (EventKind.SPLIT.value, EventKind.SPLIT_MERGE.value)


# The kinds by which a unit may go on under its own code, taking others in.
CONTINUING_KINDS = (EventKind.MERGE.value, EventKind.ABSORB.value)


@dataclass(frozen=True)
class Absorption:
    """A unit that goes on under its own code and takes others in on ``date``: its comparable
    past is derived from all ``sources`` (``(code, weight)``, the unit itself included)."""

    unit: str
    date: dt.date | None
    sources: tuple[tuple[str, float | None], ...]

    @property
    def others(self) -> list[str]:
        return [code for code, _ in self.sources if code != self.unit]


def edges_from_predecessors(units: pl.DataFrame) -> pl.DataFrame:
    """The units table's ``predecessors`` column (``"A;B"``, ``"A:0.6;B:0.4"``) as edges.

    The kind is inferred: a predecessor shared by several successors that is also merged with
    others → split_merge; several predecessors → merge; one predecessor shared by several
    successors → split; otherwise rename.
    """
    if "predecessors" not in units.columns:
        return pl.DataFrame(schema=EDGE_SCHEMA)
    edges = (
        units.select(
            pl.col("unit").cast(pl.String).alias("to"),
            pl.col("predecessors").cast(pl.String).str.split(";").alias("item"),
        )
        .explode("item")
        .with_columns(pl.col("item").str.strip_chars())
        .filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
        .with_columns(parts=pl.col("item").str.split_exact(":", 1))
        .select(
            pl.col("parts").struct.field("field_0").str.strip_chars().alias("from"),
            "to",
            pl.col("parts")
            .struct.field("field_1")
            .str.strip_chars()
            .cast(pl.Float64, strict=False)
            .alias("weight"),
        )
    )
    kind = (
        pl.when((pl.len().over("to") > 1) & (pl.len().over("from") > 1))
        .then(pl.lit(EventKind.SPLIT_MERGE.value))
        .when(pl.len().over("to") > 1)
        .then(pl.lit(EventKind.MERGE.value))
        .when(pl.len().over("from") > 1)
        .then(pl.lit(EventKind.SPLIT.value))
        .otherwise(pl.lit(EventKind.RENAME.value))
    )
    return edges.with_columns(
        kind=kind,
        date=pl.lit(None, dtype=pl.Date),
        basis=pl.lit(None, dtype=pl.String),
    ).select(list(EDGE_SCHEMA))


@dataclass(frozen=True, eq=False)
class Registry:
    """The units of a province over time and the events that link them."""

    units: pl.DataFrame  # unit, name, group, parent, valid_from, valid_to, basis
    edges: pl.DataFrame  # date, kind, from, to, weight, basis

    @classmethod
    def build(cls, units: pl.DataFrame, lineage: pl.DataFrame | None = None) -> Registry:
        """Combine the units table with a lineage table (or its ``predecessors`` column)."""
        for column, dtype in (("valid_from", pl.Date), ("valid_to", pl.Date)):
            if column not in units.columns:
                units = units.with_columns(pl.lit(None, dtype=dtype).alias(column))
        edges = edges_from_predecessors(units)
        if lineage is not None and lineage.height:
            edges = pl.concat([edges, lineage.select(list(EDGE_SCHEMA)).cast(EDGE_SCHEMA)])
            edges = edges.unique(["from", "to"], keep="last", maintain_order=True)
        registry = cls(units=units, edges=edges)
        registry.validate()
        return registry

    def validate(self) -> None:
        codes = set(self.units["unit"].to_list())
        kinds = {k.value for k in EventKind}
        problems: list[Problem] = []

        def add(row: int, column: str, message: Message) -> None:
            problems.append(Problem(message, file="lineage", row=row, column=column))

        for row, edge in enumerate(self.edges.iter_rows(named=True), start=1):
            for side in ("from", "to"):
                if edge[side] not in codes:
                    add(row, side, say("unit_not_in_units_table", unit=edge[side]))
            if edge["kind"] not in kinds:
                add(
                    row,
                    "kind",
                    say("lineage_kind_unknown", kind=edge["kind"], kinds=tuple(sorted(kinds))),
                )
            if edge["from"] == edge["to"] and not self._continues(edge):
                add(row, "to", say("self_succession"))
            if edge["weight"] is not None and edge["weight"] <= 0:
                add(row, "weight", say("weight_not_positive"))
        problems += self._mixed_continuation_problems()
        if problems:
            raise DataError(problems, title="invalid lineage")
        cycle = self._find_cycle()
        if cycle:
            raise DataError(
                Problem(say("lineage_cycle", cycle=" → ".join(cycle)), file="lineage"),
                title="invalid lineage",
            )

    def _continues(self, edge: dict[str, object]) -> bool:
        """A row ``from = to`` is allowed for a merge or absorption with other sources."""
        if edge["kind"] not in CONTINUING_KINDS:
            return False
        others = self.edges.filter(
            (pl.col("to") == edge["to"])
            & (pl.col("from") != edge["to"])
            & pl.col("kind").is_in(CONTINUING_KINDS)
        )
        return others.height > 0

    def _mixed_continuation_problems(self) -> list[Problem]:
        """A unit recorded as absorbing some units and as formed by a merge of others, without
        the merge naming it among its sources, leaves open whether it goes on: refused."""
        problems = []
        into = self.edges.filter(pl.col("from") != pl.col("to"))
        for unit in sorted(set(into.filter(pl.col("kind") == EventKind.ABSORB)["to"].to_list())):
            if unit in self._self_merges():
                continue
            merged = into.filter((pl.col("to") == unit) & (pl.col("kind") == EventKind.MERGE))
            if merged.height:
                problems.append(
                    Problem(
                        say(
                            "absorb_and_merge",
                            unit=unit,
                            units=tuple(sorted(merged["from"].to_list())),
                        ),
                        file="lineage",
                        column="kind",
                    )
                )
        return problems

    def _self_merges(self) -> set[str]:
        return set(self.edges.filter(pl.col("from") == pl.col("to"))["to"].to_list())

    def absorptions(self) -> dict[str, list[Absorption]]:
        """Per continuing unit, the events by which it took others in, earliest first.

        A unit continues when edges into it are ``absorb`` or when a merge names it among its
        sources. The event's date is the edges' date, else the day after the last day of the
        units taken in, else unknown (then the data tell before from after)."""
        continuing = set(self.edges.filter(pl.col("kind") == EventKind.ABSORB)["to"].to_list())
        continuing |= self._self_merges()
        edges = self.edges.filter(
            pl.col("to").is_in(continuing) & pl.col("kind").is_in(CONTINUING_KINDS)
        )
        ends = dict(self.units.select("unit", "valid_to").iter_rows())
        out: dict[str, list[Absorption]] = {}
        for (unit, date), part in edges.group_by("to", "date", maintain_order=True):
            sources = [(str(s), w) for s, w in part.select("from", "weight").iter_rows()]
            if all(code != unit for code, _ in sources):
                sources.insert(0, (str(unit), None))
            if date is None:
                last = [ends.get(code) for code, _ in sources if code != unit]
                known = [d for d in last if d is not None]
                date = max(known) + dt.timedelta(days=1) if known else None
            out.setdefault(str(unit), []).append(Absorption(str(unit), date, tuple(sources)))
        for events in out.values():
            events.sort(key=lambda a: a.date or dt.date.max)
        return out

    def _find_cycle(self) -> list[str] | None:
        graph = {k: [v for v in vs if v != k] for k, vs in self.successor_map().items()}
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> list[str] | None:
            state[node] = 1
            for nxt in graph.get(node, ()):
                if state.get(nxt) == 1:
                    return [*path, node, nxt]
                if nxt not in state and (found := visit(nxt, [*path, node])):
                    return found
            state[node] = 2
            return None

        for node in graph:
            if node not in state and (found := visit(node, [])):
                return found
        return None

    # -- questions ----------------------------------------------------------------------
    def on(self, date: dt.date) -> pl.DataFrame:
        """The units that existed on ``date`` (``valid_to`` is the unit's last day)."""
        return self.units.filter(
            (pl.col("valid_from").is_null() | (pl.col("valid_from") <= date))
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= date))
        )

    def predecessor_map(self) -> dict[str, list[tuple[str, float | None, str]]]:
        """``to → [(from, weight, kind)]``."""
        out: dict[str, list[tuple[str, float | None, str]]] = {}
        for src, dst, weight, kind in self.edges.select("from", "to", "weight", "kind").iter_rows():
            out.setdefault(dst, []).append((src, weight, kind))
        return out

    def successor_map(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for src, dst in self.edges.select("from", "to").iter_rows():
            out.setdefault(src, []).append(dst)
        return out

    def family(self, unit: str) -> pl.DataFrame:
        """The edges of a unit's family tree: its ancestors, its descendants, and the other
        units those descendants were formed from (so a merge shows all its parties)."""
        preds = {k: [e[0] for e in v] for k, v in self.predecessor_map().items()}
        descendants = _reach({unit}, self.successor_map())
        members = _reach({unit}, preds) | _reach(descendants, preds) | descendants
        return self.edges.filter(pl.col("from").is_in(members) & pl.col("to").is_in(members))


def _reach(start: set[str], graph: dict[str, list[str]]) -> set[str]:
    """Every node reachable from ``start`` (included) along ``graph``."""
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
