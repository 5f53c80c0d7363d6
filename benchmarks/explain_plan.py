"""The explanation and the band plan of one unit, for every shipped framework.

    python benchmarks/explain_plan.py [--units 30] [--seed 1] [--strict]

For each framework under src/dti/frameworks, ``--units`` units get random valid values (every
indicator, a tenth left empty) in their group; each is explained (dti.engine.explain) and planned
(dti.engine.plan_band, the next band). Prints the median and worst time per unit beside the
targets (explain ≤ 20 ms, plan ≤ 500 ms: one scorecard page), how many plans were found, and
checks that every plan, applied, reaches its band by the scorer's own figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import polars as pl

from dti.engine import compile_framework, explain, load_framework, plan_band, score
from dti.engine.compiled import CompiledFramework, RuleType

FRAMEWORKS = Path(__file__).resolve().parents[1] / "src" / "dti" / "frameworks"
EXPLAIN_TARGET, PLAN_TARGET = 0.020, 0.500


def values_for(cf: CompiledFramework, group: int, rng: random.Random) -> pl.DataFrame:
    rows = []
    for i, code in enumerate(cf.codes):
        if not cf.applies[group, i] or rng.random() < 0.1:
            continue
        rule, top = RuleType(int(cf.rule[i])), float(cf.max[i])
        den = None
        if rule == RuleType.BOOLEAN:
            value = float(rng.random() < 0.6)
        elif rule == RuleType.POINTS:
            value = round(rng.uniform(0, top), 2)
        elif rule == RuleType.COUNT:
            value = float(rng.randint(0, int(top / cf.per_item[i]) + 2))
        elif rule == RuleType.RATIO and cf.ratio_percent[i]:
            value = round(rng.uniform(0, 100), 1)
        elif rule == RuleType.RATIO or cf.tier_on_ratio[i]:
            den = float(rng.randint(1, 300))
            value = float(rng.randint(0, int(den)))
        else:
            top_min = max((m for m in cf.tier_min[i] if m < float("inf")), default=1.0)
            value = float(rng.randint(0, int(top_min * 1.5) + 1))
        rows.append(("U", "2025", code, value, den, True))
    return pl.DataFrame(
        rows,
        schema=["unit", "period", "indicator", "value", "denominator", "applicable"],
        orient="row",
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    explain_times: list[float] = []
    plan_times: list[float] = []
    found = asked = 0
    print(
        f"{'framework':32} {'leaves':>6} {'explain median':>15}"
        f" {'plan median':>12} {'plan worst':>11}"
    )
    for path in sorted(FRAMEWORKS.glob("*.yaml")):
        cf = compile_framework(load_framework(path))
        mine_e: list[float] = []
        mine_p: list[float] = []
        for k in range(args.units):
            g = k % len(cf.group_codes)
            group = cf.group_codes[g]
            values = values_for(cf, g, rng)
            units = pl.DataFrame({"unit": ["U"], "name": ["U"], "group": [group]})
            start = time.perf_counter()
            explain(cf, values, unit="U", period="2025", group=group)
            mine_e.append(time.perf_counter() - start)
            start = time.perf_counter()
            planned = plan_band(cf, values, unit="U", period="2025", group=group)
            mine_p.append(time.perf_counter() - start)
            if planned.reached:
                continue
            asked += 1
            found += bool(planned.plans)
            bands = list(cf.band_codes)
            for plan in planned.plans:
                taken = [s.indicator for s in plan.steps]
                applied = pl.concat(
                    [
                        values.filter(~pl.col("indicator").is_in(taken)),
                        pl.DataFrame(
                            [
                                ("U", "2025", s.indicator, s.value, s.denominator, True)
                                for s in plan.steps
                            ],
                            schema=values.schema,
                            orient="row",
                        ),
                    ]
                )
                band = score(cf, applied, units).units["band"][0]
                assert bands.index(band) <= bands.index(planned.goal_band or ""), (path.name, plan)
        explain_times += mine_e
        plan_times += mine_p
        print(
            f"{path.stem:32} {cf.n_leaves:6} {statistics.median(mine_e) * 1000:12.1f} ms"
            f" {statistics.median(mine_p) * 1000:9.1f} ms {max(mine_p) * 1000:8.1f} ms"
        )
    e, p, worst = statistics.median(explain_times), statistics.median(plan_times), max(plan_times)
    met_e, met_p = e <= EXPLAIN_TARGET, worst <= PLAN_TARGET
    print(
        f"explain: median {e * 1000:.1f} ms (target ≤ {EXPLAIN_TARGET * 1000:.0f} ms: "
        f"{'met' if met_e else 'missed'})"
    )
    print(
        f"plan: median {p * 1000:.1f} ms, worst {worst * 1000:.1f} ms (target ≤ "
        f"{PLAN_TARGET * 1000:.0f} ms: {'met' if met_p else 'missed'})"
    )
    print(
        f"plans found for {found} of {asked} units below the best band; every plan reaches its band"
    )
    return 1 if args.strict and not (met_e and met_p) else 0


if __name__ == "__main__":
    sys.exit(main())
