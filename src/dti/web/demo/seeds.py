"""Room: dataset loading — the published seed datasets of ``src/dti/data`` as :class:`Dataset`\\ s.

:func:`seed_dataset` reads one (its own frameworks, units whose codes already carry the
province prefix, self values, and where the dataset has them the verified values with their
reasons and the site-visit notes) for :func:`dti.web.demo.datasets.dataset_load`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from dti.web.assessments.models import Status
from dti.web.demo.datasets import TZ, Adjustment, Dataset, GroupSpec, PeriodSpec, UnitSpec, Values
from dti.web.registry.models import UnitKind

if TYPE_CHECKING:
    from dti.data import Dataset as Seed

_KINDS = {"huyen": UnitKind.DISTRICT, "xa": UnitKind.COMMUNE, "phuong": UnitKind.COMMUNE}
# Seed dataset → (province code, province name, state its periods reached).
SEEDS = {
    "quang-nam-2020": ("quang-nam", "Quảng Nam", Status.PUBLISHED),
    "quang-nam-2022": ("quang-nam", "Quảng Nam", Status.PUBLISHED),
    "lao-cai-2023": ("lao-cai", "Lào Cai", Status.PUBLISHED),
    "gia-vien-2022": ("ninh-binh", "Ninh Bình", Status.VERIFIED),
}


def _values(frame: pl.DataFrame) -> Values:
    out: Values = {}
    for unit, indicator, value, denominator, applicable in frame.select(
        "unit", "indicator", "value", "denominator", "applicable"
    ).iter_rows():
        out.setdefault(unit, {})[indicator] = (value, denominator, bool(applicable))
    return out


def seed_dataset(name: str) -> Dataset:
    """A published dataset of ``src/dti/data`` as a :class:`Dataset`: its own frameworks,
    units (codes already carry the province prefix), self values, and where the dataset has
    them the verified values with their reasons and the site-visit notes."""
    from dti.data import load_dataset

    seed = load_dataset(name)
    province, province_name, state = SEEDS[name]
    units = [
        UnitSpec(row["unit"], row["name"], row["group"], parent=row["parent"] or "")
        for row in seed.units.iter_rows(named=True)
    ]
    return Dataset(
        groups=_seed_groups(seed),
        units=units,
        periods=[_seed_period(seed, period, state) for period in seed.manifest["periods"]],
        accounts=[],
        province=(province, province_name),
        title=seed.manifest["title"],
    )


def _seed_groups(seed: Seed) -> list[GroupSpec]:
    files = {
        group: str(seed.path / entry) if entry.endswith(".yaml") else f"{entry}.yaml"
        for group, entry in seed.manifest["frameworks"].items()
    }
    groups = []
    for code, framework in seed.frameworks.items():
        spec = next(g for g in framework.groups if g.code == code)
        groups.append(
            GroupSpec(
                code,
                spec.name.vi,
                spec.name.en or "",
                _KINDS.get(code, UnitKind.DEPARTMENT),
                files[code],
            )
        )
    return groups


def _seed_period(seed: Seed, period: str, state: Status) -> PeriodSpec:
    year = int(period)
    verification = seed.manifest.get("verification") or {}
    visit_day = dt.date.fromisoformat(str(verification.get("date", "2000-01-01")))
    values = _values(seed.values["values"].filter(pl.col("period") == period))
    adjustments = []
    if "verified" in seed.values:
        changed = seed.values["verified"].filter(
            (pl.col("period") == period) & pl.col("reason").is_not_null()
        )
        adjustments = [
            Adjustment(
                r["unit"],
                r["indicator"],
                r["value"],
                r["denominator"],
                r["reason"],
                bool(r["applicable"]),
            )
            for r in changed.iter_rows(named=True)
        ]
    notes = [(v["unit"], visit_day, v["notes"]) for v in verification.get("site_visits", [])]
    return PeriodSpec(
        year=year,
        name=f"{seed.manifest['title']} — {year}",
        self_deadline=dt.datetime(year + 1, 3, 31, 17, 0, tzinfo=TZ),
        verification_deadline=dt.datetime(year + 1, 7, 31, 17, 0, tzinfo=TZ),
        values=values,
        states=dict.fromkeys(values, state),
        adjustments=adjustments,
        units=sorted(values),
        notes=notes,
    )
