"""Benchmark: the robustness report of one period of 5,000 units with 1,000 weight draws.

    .venv/bin/python benchmarks/robustness.py                 # 5,000 units, 1,000 draws
    .venv/bin/python benchmarks/robustness.py --units 500 --draws 100

A synthetic rescaled framework (60 leaves in 6 pillars: boolean, fraction, tiers, count and
expert points, N/A allowed on a fifth of them) and one period of values for three groups
(about a tenth of the units' values adjusted by the verifier, 5 % of N/A leaves) are built with
NumPy outside the timing; ``dti.engine.robustness`` then runs every perturbation at once —
the declared values, N/A as zero, values within two decimals, 1,000 draws of the pillars'
weights within ±25 % — best of ``--repeat`` runs. Target: ≤ 10 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np
import polars as pl

from dti.engine import Framework, Perturbations, compile_framework, parse_framework, robustness
from dti.engine.compiled import RuleType

TARGET_SECONDS = 10.0
PILLARS = 6
PER_PILLAR = 10
GROUPS = ("so", "huyen", "xa")
RULES: tuple[dict[str, Any], ...] = (
    {"type": "boolean"},
    {"type": "ratio", "target": 0.9, "floor": 0.1},
    {"type": "tiers", "tiers": [{"min": 2, "points": 4}, {"min": 5, "points": 10}]},
    {"type": "count", "per_item": 2.5},
    {"type": "points"},
)


def synthetic_framework() -> Framework:
    tree = [
        {
            "code": str(p),
            "name": {"vi": f"Trụ cột {p}"},
            "max": 10.0 * PER_PILLAR,
            "children": [
                {
                    "code": f"{p}.{c}",
                    "name": {"vi": f"Chỉ số {p}.{c}"},
                    "max": 10.0,
                    "rule": RULES[(p * PER_PILLAR + c) % len(RULES)],
                    "na_allowed": c % 5 == 0,
                }
                for c in range(1, PER_PILLAR + 1)
            ],
        }
        for p in range(1, PILLARS + 1)
    ]
    raw = {
        "code": "bench-robustness",
        "name": {"vi": "Bộ chỉ số (benchmark)"},
        "years": [2025],
        "sources": [{"decision": "synthetic"}],
        "status": "reconstructed",
        "scale": {"total": 10.0 * PILLARS * PER_PILLAR, "report": "rescaled", "decimals": 2},
        "groups": [{"code": g, "name": {"vi": g}} for g in GROUPS],
        "completion_levels": [
            {"code": "done", "name": {"vi": "Hoàn thành"}, "min_percent": 90},
            {"code": "none", "name": {"vi": "Chưa"}, "min_percent": 0},
        ],
        "bands": [
            {"code": c, "name": {"vi": c}, "min_percent": m}
            for c, m in (("A", 85.0), ("B", 70.0), ("C", 50.0), ("D", 0.0))
        ],
        "tree": tree,
    }
    return parse_framework(raw, file="benchmark")


def synthetic_period(
    fw: Framework, n_units: int, seed: int = 20261202
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Counted values, declared values and the units table."""
    cf = compile_framework(fw)
    rng = np.random.default_rng(seed)
    n_leaves = cf.n_leaves
    unit = np.repeat(np.arange(n_units), n_leaves)
    ind = np.tile(np.arange(n_leaves), n_units)
    rule = cf.rule[ind]
    u = rng.random(len(ind))
    value = np.where(rule == RuleType.BOOLEAN, (u < 0.7).astype(np.float64), 0.0)
    value = np.where(rule == RuleType.RATIO, np.round(u, 3), value)
    value = np.where(rule == RuleType.TIERS, np.floor(u * 8), value)
    value = np.where(rule == RuleType.COUNT, np.floor(u * 5), value)
    value = np.where(rule == RuleType.POINTS, np.round(u * 20) / 2, value)
    applicable = ~(cf.na_allowed[ind] & (rng.random(len(ind)) < 0.05))
    declared = np.where(rng.random(len(ind)) < 0.1, np.fmin(value * 1.2, cf.max[ind]), value)
    declared = np.where(rule == RuleType.BOOLEAN, np.maximum(declared, value).round(), declared)
    declared = np.where(rule == RuleType.RATIO, np.fmin(declared, 1.0), declared)
    codes = [f"U{i:05d}" for i in range(n_units)]

    def frame(v: np.ndarray) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "unit": pl.Series(codes).gather(unit),
                "period": "2025",
                "indicator": pl.Series(cf.codes).gather(ind),
                "value": v,
                "applicable": applicable,
            }
        )

    units = pl.DataFrame(
        {
            "unit": codes,
            "name": [f"Đơn vị {c}" for c in codes],
            "group": [GROUPS[g] for g in rng.integers(0, len(GROUPS), n_units)],
        }
    )
    return frame(value), frame(declared), units


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    fw = synthetic_framework()
    cf = compile_framework(fw)
    counted, declared, units = synthetic_period(fw, args.units)
    p = Perturbations(value_decimals=2, weight_range=0.25, draws=args.draws, seed=1)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        report = robustness(cf, counted, units, declared=declared, perturbations=p)
        times.append(time.perf_counter() - start)
    best = min(times)
    met = best <= TARGET_SECONDS
    frame = report.units
    print(
        f"robustness: {args.units:,} units x {cf.n_leaves} indicators, {args.draws:,} draws: "
        f"best {best:.3f} s of {args.repeat} (target <= {TARGET_SECONDS:.0f} s: "
        f"{'met' if met else 'MISSED'}); runs {', '.join(f'{t:.3f}' for t in times)} s"
    )
    moving, ties, edges = (
        (~frame["stable"]).sum(),
        frame["near_tie"].sum(),
        frame["band_edge"].sum(),
    )
    print(
        f"  units whose rank moves: {moving:,} of {frame.height:,}; "
        f"near-ties: {ties:,}; band edges: {edges:,}"
    )
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
