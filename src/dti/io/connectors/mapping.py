"""A source's records as the values table the engine scores, through a declarative mapping:
the source's unit id → the unit's code, the framework's field → the source's key.

Everything wrong is reported at once, each problem located by the page (as ``file``) and the
record's position (as ``row``) and the source's key (as ``column``): a unit id the mapping
does not know, a unit given twice, a key the records no longer carry (every record: the
source's schema changed), a value that is not a number. Values out of range are the engine's
to judge when the pull scores them (the same messages as any values table).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dti.engine.errors import Problem
from dti.engine.messages import say
from dti.io.cells import AMBIGUOUS_NUMBER, parse_number_expr
from dti.io.connectors.fetching import Fetched, Record, SourceError

__all__ = ["MAX_PROBLEMS", "Mapping", "Wanted", "measured_frame"]

MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Mapping:
    """How a source's records name units and values (what the admin declares)."""

    unit_key: str
    units: dict[str, str] = field(default_factory=dict)  # source unit id → unit code
    fields: dict[str, str] = field(default_factory=dict)  # framework field → source key
    version: int = 1

    def key(self, name: str) -> str:
        return self.fields.get(name, name)

    def unit_code(self, source_id: str) -> str:
        """The unit a source id names (without an entry, the id is the unit's code)."""
        return self.units.get(source_id, source_id)


@dataclass(frozen=True, slots=True)
class Wanted:
    """A measured leaf: the field its value is read from, and its denominator's."""

    indicator: str
    field: str
    denominator: str | None = None


SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "denominator": pl.Float64,
    "applicable": pl.Boolean,
    "row": pl.Int64,
    "source_unit": pl.String,
    "page": pl.Int64,
    "position": pl.Int64,
}


def measured_frame(
    fetched: Fetched,
    mapping: Mapping,
    wanted: Iterable[Wanted],
    *,
    units: set[str],
    period: str,
    page_names: dict[int, str] | None = None,
) -> pl.DataFrame:
    """One row per (record's unit, wanted leaf), or :class:`SourceError` with every problem.
    ``units``: the unit codes the pull may write (the period's assessments)."""
    wanted = list(wanted)
    names = page_names or {
        p.number: p.request.removeprefix("GET ").removeprefix("FILE ") for p in fetched.pages
    }
    problems: list[Problem] = []

    def at(record: Record, column: str | None = None) -> dict[str, Any]:
        return {"file": names.get(record.page), "row": record.position, "column": column}

    keys = [mapping.unit_key] + [
        mapping.key(k) for w in wanted for k in (w.field, w.denominator) if k is not None
    ]
    _check_schema(fetched, list(dict.fromkeys(keys)), names)
    seen: dict[str, Record] = {}
    kept: list[tuple[str, Record]] = []
    for record in fetched.records:
        raw = record.data.get(mapping.unit_key)
        source_id = "" if raw is None else str(raw).strip()
        if not source_id:
            problems.append(Problem(say("cell_empty"), **at(record, mapping.unit_key)))
            continue
        if source_id in seen:
            first = seen[source_id]
            problems.append(
                Problem(
                    say(
                        "source_duplicate_unit", unit=source_id, page=first.page, row=first.position
                    ),
                    **at(record, mapping.unit_key),
                )
            )
            continue
        seen[source_id] = record
        code = mapping.unit_code(source_id)
        if code not in units:
            problems.append(
                Problem(say("source_unit_unknown", unit=source_id), **at(record, mapping.unit_key))
            )
            continue
        kept.append((code, record))
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA}
    raw_values: list[Any] = []
    raw_denominators: list[Any] = []
    for code, record in kept:
        for w in wanted:
            columns["unit"].append(code)
            columns["indicator"].append(w.indicator)
            columns["source_unit"].append(str(record.data[mapping.unit_key]).strip())
            columns["page"].append(record.page)
            columns["position"].append(record.position)
            raw_values.append(record.data.get(mapping.key(w.field)))
            raw_denominators.append(
                record.data.get(mapping.key(w.denominator)) if w.denominator else _ABSENT
            )
    values, bad_values = _numbers(raw_values)
    denominators, bad_denominators = _numbers(raw_denominators)
    flat = [(code, record, w) for code, record in kept for w in wanted]
    for i in bad_values:
        _code, record, w = flat[i]
        problems.append(_not_number(raw_values[i], at(record, mapping.key(w.field))))
    for i in bad_denominators:
        _code, record, w = flat[i]
        assert w.denominator is not None
        problems.append(_not_number(raw_denominators[i], at(record, mapping.key(w.denominator))))
    if problems:
        raise SourceError(problems[:MAX_PROBLEMS])
    n = len(flat)
    columns["value"] = values
    columns["denominator"] = denominators
    columns["period"] = [period] * n
    columns["applicable"] = [True] * n
    columns["row"] = [record.position for _c, record, _w in flat]
    return pl.DataFrame(columns, schema=SCHEMA)


class _Absent:
    """No denominator asked for (unlike a denominator the record leaves empty)."""


_ABSENT = _Absent()


def _numbers(raw: list[Any]) -> tuple[list[float | None], list[int]]:
    """The numbers of ``raw`` (JSON numbers as they are, text as the readers parse it) and
    the positions of those that are none; ``_ABSENT`` is ``None`` and not a problem."""
    out: list[float | None] = [None] * len(raw)
    text_at: list[int] = []
    bad: list[int] = []
    for i, v in enumerate(raw):
        if v is _ABSENT:
            continue
        if isinstance(v, bool) or v is None:
            bad.append(i)
        elif isinstance(v, int | float):
            if math.isfinite(v):
                out[i] = float(v)
            else:
                bad.append(i)
        elif isinstance(v, str):
            text_at.append(i)
        else:
            bad.append(i)
    if text_at:
        parsed = (
            pl.DataFrame({"t": [raw[i] for i in text_at]}, schema={"t": pl.String})
            .select(parse_number_expr("t"))
            .to_series()
            .to_list()
        )
        for i, number in zip(text_at, parsed, strict=True):
            if number is None:
                bad.append(i)
            else:
                out[i] = number
    return out, sorted(bad)


def _not_number(value: Any, where: dict[str, Any]) -> Problem:
    if value is None:
        return Problem(say("source_value_missing"), **where)
    if isinstance(value, str) and re.match(AMBIGUOUS_NUMBER, value.strip()):
        return Problem(say("number_ambiguous", value=value.strip()), **where)
    return Problem(say("not_a_number", value=str(value)), **where)


def _check_schema(fetched: Fetched, keys: list[str], names: dict[int, str]) -> None:
    """A key no record carries: the source's layout changed (one problem, with what it has)."""
    if not fetched.records:
        return
    present: set[str] = set()
    for record in fetched.records:
        present.update(record.data)
    missing = [k for k in keys if k not in present]
    if missing:
        first = fetched.records[0]
        raise SourceError(
            Problem(
                say("source_schema_changed", keys=tuple(missing), found=tuple(first.data)),
                file=names.get(first.page),
            )
        )
