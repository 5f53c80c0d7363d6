"""Loading a shipped dataset: frameworks per group, units, values and the manifest (no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dti.catalog import resolve_framework
from dti.engine import Framework, ScoreResult, compile_framework, score
from dti.engine.safe_yaml import load_yaml
from dti.io.tables import read_units, read_values

__all__ = ["DATA_DIR", "Dataset", "dataset_names", "load_dataset"]

DATA_DIR = Path(__file__).parent
MANIFEST = "dataset.yaml"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A published assessment as raw data: score it with :meth:`score`."""

    name: str
    path: Path
    manifest: dict[str, Any]
    frameworks: dict[str, Framework]  # by unit group
    units: pl.DataFrame
    values: dict[str, pl.DataFrame]  # "values" (as assessed), "verified" where there is one

    def framework_files(self) -> list[str]:
        """The ``--framework`` arguments for ``dti score`` (paths or shipped codes), in order."""
        seen: list[str] = []
        for entry in self.manifest["frameworks"].values():
            local = self.path / entry
            item = str(local) if local.suffix == ".yaml" else entry
            if item not in seen:
                seen.append(item)
        return seen

    def score(self, which: str = "values") -> ScoreResult:
        """Score every group on its framework; units and groups of all frameworks together."""
        values = self.values[which]
        results = []
        for framework, groups in self._groups_by_framework():
            units = self.units.filter(pl.col("group").is_in(groups))
            rows = values.filter(pl.col("unit").is_in(units["unit"].implode()))
            if rows.height:
                results.append(score(compile_framework(framework), rows, units, source=which))
        return ScoreResult(
            framework=results[0].framework,
            units=pl.concat([r.units for r in results], how="diagonal_relaxed"),
            pillars=pl.concat([r.pillars for r in results]),
            groups=pl.concat([r.groups for r in results], how="diagonal_relaxed"),
            indicators=pl.concat([r.indicators for r in results], how="diagonal_relaxed"),
        )

    def _groups_by_framework(self) -> list[tuple[Framework, list[str]]]:
        out: list[tuple[Framework, list[str]]] = []
        for group, framework in self.frameworks.items():
            for known, groups in out:
                if known is framework:
                    groups.append(group)
                    break
            else:
                out.append((framework, [group]))
        return out


def dataset_names() -> list[str]:
    """The datasets shipped with dti."""
    return sorted(p.parent.name for p in DATA_DIR.glob(f"*/{MANIFEST}"))


def _read_values(path: Path) -> pl.DataFrame:
    frame, _info = read_values(path)
    extra = pl.read_csv(path, infer_schema=False).drop(
        "unit", "period", "indicator", "value", "denominator", "applicable", strict=False
    )
    return pl.concat([frame, extra], how="horizontal")


def load_dataset(name: str, root: Path | None = None) -> Dataset:
    """Load ``src/dti/data/<name>/`` (or ``root/<name>``)."""
    path = (root or DATA_DIR) / name
    manifest = load_yaml((path / MANIFEST).read_bytes(), file=f"{name}/{MANIFEST}")
    cache: dict[str, Framework] = {}
    frameworks = {}
    for group, entry in manifest["frameworks"].items():
        local = path / entry
        key = str(local) if local.suffix == ".yaml" else entry
        if key not in cache:
            cache[key] = resolve_framework(key)
        frameworks[group] = cache[key]
    files = manifest["files"]
    return Dataset(
        name=name,
        path=path,
        manifest=manifest,
        frameworks=frameworks,
        units=read_units(path / files["units"]),
        values={which: _read_values(path / file) for which, file in files["values"].items()},
    )
