"""Loading a province's data through the ordinary services: real datasets and the demo.

Two rooms: dataset loading (:mod:`.datasets` — the specs and :func:`dataset_load`;
:mod:`.replay` — one period's workflow; :mod:`.seeds` — the published seed datasets) and the
demo scenario (:mod:`.scenario` — Quảng Nam's 2025 reorganisation, the demo accounts and
:func:`demo_load`). The public names are re-exported here.
"""

from __future__ import annotations

from dti.web.demo.datasets import (
    Adjustment,
    Dataset,
    GroupSpec,
    LineageSpec,
    PeriodSpec,
    UnitSpec,
    Values,
    dataset_load,
)
from dti.web.demo.scenario import (
    DEMO_ACCOUNTS,
    DEMO_PROVINCE_ACCOUNTS,
    demo_datasets,
    demo_load,
    demo_values,
    reorg_dataset,
)
from dti.web.demo.seeds import SEEDS, seed_dataset

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PROVINCE_ACCOUNTS",
    "SEEDS",
    "Adjustment",
    "Dataset",
    "GroupSpec",
    "LineageSpec",
    "PeriodSpec",
    "UnitSpec",
    "Values",
    "dataset_load",
    "demo_datasets",
    "demo_load",
    "demo_values",
    "reorg_dataset",
    "seed_dataset",
]
