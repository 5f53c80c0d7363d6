"""Build the seed datasets: ``python -m dti.data.build [--out DIR]``.

For every unit × period the builder picks raw indicator values (seeded, so the files come out
byte-identical on every run) that the engine scores to the target result — the published figure
where there is one, a reconstructed one otherwise — writes ``units.csv``, ``values.csv`` (and
``values-verified.csv`` where a verification is represented), the dataset-local frameworks and
``dataset.yaml``, then loads what it wrote, scores it through the engine and fails unless every
target is reproduced exactly at the published precision.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dti.catalog import resolve_framework
from dti.data.derive import derive, dump_yaml
from dti.data.loader import DATA_DIR, MANIFEST, load_dataset
from dti.data.profiles import unit_sizes
from dti.data.spec import DatasetSpec, Result
from dti.data.synth import (
    BuildError,
    Cell,
    UnitRequest,
    applicable_leaves,
    solve,
    value_for_fraction,
)
from dti.engine import Framework

__all__ = ["build_all", "build_dataset", "main", "specs"]

UNIT_HEADER = ("unit", "name", "group", "parent", "predecessors")
VALUE_HEADER = ("unit", "period", "indicator", "value", "denominator", "applicable", "provenance")
VALUES_FILE = "values.csv"
VERIFIED_FILE = "values-verified.csv"
# "1.250" would be read as 1 250 (Vietnamese thousands separator): never write three decimals.
_AMBIGUOUS = re.compile(r"^-?\d{1,3}\.\d{3}$")


def specs() -> tuple[DatasetSpec, ...]:
    """Every dataset definition, in build order."""
    from dti.data import gia_vien_2022, lao_cai_2023, quang_nam_2020, quang_nam_2022

    return (
        quang_nam_2022.SPEC,
        quang_nam_2020.SPEC,
        lao_cai_2023.SPEC,
        gia_vien_2022.SPEC,
    )


# -- writing --------------------------------------------------------------------------------


def _number(x: float | None) -> str:
    if x is None:
        return ""
    text = str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")
    if _AMBIGUOUS.match(text) or abs(float(text) - x) > 1e-9:
        raise BuildError(f"value {x!r} cannot be written unambiguously")
    return text


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def _value_row(unit: str, period: str, cell: Cell, *, reason: bool) -> list[str]:
    row = [
        unit,
        period,
        cell.indicator,
        _number(cell.value),
        _number(cell.denominator),
        "1" if cell.applicable else "0",
        cell.provenance,
    ]
    return [*row, cell.reason] if reason else row


# -- solving --------------------------------------------------------------------------------


def _seed(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode("utf-8"))


def _frameworks(spec: DatasetSpec, folder: Path) -> dict[str, Framework]:
    out: dict[str, Framework] = {}
    for group, entry in spec.frameworks.items():
        local = folder / entry
        out[group] = resolve_framework(local if local.suffix == ".yaml" else entry)
    return out


def _solve(spec: DatasetSpec, frameworks: dict[str, Framework]) -> list[tuple[Result, list[Cell]]]:
    groups = {u.code: u.group for u in spec.units}
    solved = []
    for result in spec.results:
        group = groups[result.unit]
        sizes = unit_sizes(spec.levels[group], _seed(spec.name, result.unit, "sizes"), result.sizes)
        request = UnitRequest(
            target=result.score,
            seed=_seed(spec.name, result.unit, result.period),
            sizes=sizes,
            pinned={c.indicator: c for c in result.pinned.values()},
            not_applicable=result.not_applicable,
            ranges=result.ranges,
        )
        try:
            cells = solve(frameworks[group], group, request)
        except BuildError as exc:
            raise BuildError(f"{spec.name}: {result.unit} {result.period}: {exc}") from exc
        solved.append((result, cells))
    return solved


def _verified(
    spec: DatasetSpec, frameworks: dict[str, Framework], solved: list[tuple[Result, list[Cell]]]
) -> list[list[str]]:
    groups = {u.code: u.group for u in spec.units}
    changes = {(a.unit, a.period, a.indicator): a for a in spec.verification}
    rows = []
    for result, cells in solved:
        group = groups[result.unit]
        leaves = {n.code: n for n in applicable_leaves(frameworks[group], group)}
        for cell in cells:
            change = changes.pop((result.unit, result.period, cell.indicator), None)
            if change is not None:
                new = value_for_fraction(leaves[cell.indicator], change.fraction, cell)
                cell = Cell(new.indicator, new.value, new.denominator, reason=change.reason)
            rows.append(_value_row(result.unit, result.period, cell, reason=True))
    if changes:
        raise BuildError(f"{spec.name}: adjustments for missing values: {sorted(changes)}")
    return rows


# -- the dataset ----------------------------------------------------------------------------


def _manifest(spec: DatasetSpec) -> dict[str, Any]:
    files: dict[str, Any] = {"units": "units.csv", "values": {"values": VALUES_FILE}}
    if spec.verification:
        files["values"]["verified"] = VERIFIED_FILE
    return {**spec.manifest, "frameworks": dict(spec.frameworks), "files": files}


def build_dataset(spec: DatasetSpec, root: Path) -> list[Path]:
    """Write one dataset under ``root/<name>/`` and check it reproduces its targets."""
    folder = root / spec.name
    written = [_write(folder / d.file, derive(d)) for d in spec.derived]
    frameworks = _frameworks(spec, folder)
    unit_rows = [[u.code, u.name, u.group, u.parent, u.predecessors] for u in spec.units]
    written.append(_write(folder / "units.csv", _csv(UNIT_HEADER, unit_rows)))
    solved = _solve(spec, frameworks)
    value_rows = [
        _value_row(result.unit, result.period, cell, reason=False)
        for result, cells in solved
        for cell in cells
    ]
    written.append(_write(folder / VALUES_FILE, _csv(VALUE_HEADER, value_rows)))
    if spec.verification:
        rows = _verified(spec, frameworks, solved)
        written.append(_write(folder / VERIFIED_FILE, _csv((*VALUE_HEADER, "reason"), rows)))
    header = f"{spec.manifest['title']}\nGenerated by `python -m dti.data.build`; do not edit."
    written.append(_write(folder / MANIFEST, dump_yaml(_manifest(spec), header)))
    _check(spec, root)
    return written


def _check(spec: DatasetSpec, root: Path) -> None:
    """Every target (published or reconstructed) must come out of the engine exactly."""
    result = load_dataset(spec.name, root).score("values")
    scores = {(u, p): s for u, p, s in result.units.select("unit", "period", "score").iter_rows()}
    frameworks = _frameworks(spec, root / spec.name)
    places = {u.code: frameworks[u.group].scale.decimals for u in spec.units}
    wrong = [
        f"{r.unit} {r.period}: {scores.get((r.unit, r.period))} ≠ {r.score}"
        for r in spec.results
        if round(scores.get((r.unit, r.period), float("nan")), places[r.unit])
        != round(r.score, places[r.unit])
    ]
    if wrong:
        raise BuildError(f"{spec.name}: targets not reproduced: {'; '.join(wrong)}")


def build_all(root: Path = DATA_DIR) -> list[Path]:
    return [path for spec in specs() for path in build_dataset(spec, root)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dti.data.build", description=__doc__)
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="root folder to write into")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
