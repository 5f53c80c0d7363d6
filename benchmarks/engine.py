"""Benchmark: score 10 M raw values with ``dti.engine`` and with a plain pandas group-by.

    .venv/bin/python benchmarks/engine.py             # 10,000 units x 100 indicators x 10 periods
    .venv/bin/python benchmarks/engine.py --units 500 # smaller

A synthetic framework (100 leaves across 8 pillars, every rule type) is built as a dict and
validated by ``parse_framework``; synthetic values are generated with NumPy (unit, period and
indicator as ``pl.Enum``). Both implementations do the same job — rule points per row, total
per unit x period, rank within period x group (ties share the best rank), band — and are timed
best of ``--repeat`` runs, data generation excluded. Their totals, ranks and bands are asserted
equal. Targets: dti <= 1 s, peak RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl

from dti.engine import Framework, Level, ScoreResult, compile_framework, parse_framework, score
from dti.engine.compiled import LEVEL_TOLERANCE, CompiledFramework, RuleType

TARGET_SECONDS = 1.0
TARGET_RATIO = 10.0  # pandas / dti, in the same run
TARGET_SAVE_SECONDS = 0.002  # one unit's 100 values, one period (a save)
SAVES = 500
TARGET_RSS_BYTES = 2 * 1024**3
N_INDICATORS = 100
N_PERIODS = 10
PILLAR_SIZES = (13, 13, 13, 13, 12, 12, 12, 12)  # 8 pillars, 100 leaves
LEAF_MAX = 10.0
GROUPS = ("so", "huyen", "xa")
BANDS = (("A", 85.0), ("B", 70.0), ("C", 50.0), ("D", 0.0))

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


# -- synthetic framework --------------------------------------------------------------------


def _rule(i: int) -> dict[str, Any]:
    kinds: list[dict[str, Any]] = [
        {"type": "boolean"},
        {"type": "ratio", "target": 0.9, "floor": 0.1},  # numerator / denominator
        {"type": "ratio", "input": "percent", "target": 0.8},
        {
            "type": "tiers",
            "basis": "value",
            "tiers": [{"min": 2, "points": 3}, {"min": 5, "points": 6}, {"min": 10, "points": 10}],
        },
        {
            "type": "tiers",
            "basis": "ratio",
            "tiers": [{"min": 0.25, "points": 4}, {"min": 0.75, "points": 10}],
        },
        {"type": "count", "per_item": 1.5},
        {"type": "points"},
    ]
    return kinds[i % len(kinds)]


def synthetic_framework() -> Framework:
    tree: list[dict[str, Any]] = []
    leaf = 0
    for p, size in enumerate(PILLAR_SIZES, start=1):
        children = []
        for c in range(1, size + 1):
            children.append(
                {
                    "code": f"{p}.{c}",
                    "name": {"vi": f"Chỉ số {p}.{c}"},
                    "max": LEAF_MAX,
                    "rule": _rule(leaf),
                }
            )
            leaf += 1
        tree.append(
            {
                "code": str(p),
                "name": {"vi": f"Trụ cột {p}"},
                "max": LEAF_MAX * size,
                "children": children,
            }
        )
    raw = {
        "code": "bench",
        "name": {"vi": "Bộ chỉ số tổng hợp (benchmark)"},
        "years": list(range(2015, 2015 + N_PERIODS)),
        "sources": [{"decision": "synthetic"}],
        "status": "reconstructed",
        "scale": {"total": LEAF_MAX * N_INDICATORS, "report": "raw", "decimals": 2},
        "groups": [{"code": g, "name": {"vi": g}} for g in GROUPS],
        "completion_levels": [
            {"code": "done", "name": {"vi": "Hoàn thành"}, "min_percent": 90},
            {"code": "none", "name": {"vi": "Chưa"}, "min_percent": 0},
        ],
        "bands": [{"code": c, "name": {"vi": c}, "min_percent": m} for c, m in BANDS],
        "tree": tree,
    }
    return parse_framework(raw, file="benchmark")


# -- synthetic data -------------------------------------------------------------------------


class Data:
    """Synthetic raw values: a Polars frame with Enum keys, and the units table."""

    def __init__(self, cf: CompiledFramework, n_units: int, seed: int = 20240601) -> None:
        rng = np.random.default_rng(seed)
        n_leaves = cf.n_leaves
        assert n_leaves == N_INDICATORS
        n = n_units * N_PERIODS * n_leaves
        self.unit_codes = [f"U{u:05d}" for u in range(n_units)]
        self.period_codes = [str(2015 + p) for p in range(N_PERIODS)]
        self.indicator_codes = list(cf.codes)
        self.unit_group = rng.integers(0, len(GROUPS), n_units)

        unit = np.repeat(np.arange(n_units, dtype=np.int64), N_PERIODS * n_leaves)
        period = np.tile(np.repeat(np.arange(N_PERIODS, dtype=np.int64), n_leaves), n_units)
        ind = np.tile(np.arange(n_leaves, dtype=np.int64), n_units * N_PERIODS)
        rule = cf.rule[ind]
        value = np.empty(n)
        denom = np.full(n, np.nan)
        u = rng.random(n)
        boolean = rule == RuleType.BOOLEAN
        value[boolean] = (u[boolean] < 0.7).astype(np.float64)
        fraction = (rule == RuleType.RATIO) & ~cf.ratio_percent[ind]
        d = rng.integers(1, 200, n).astype(np.float64)
        denom[fraction] = d[fraction]
        value[fraction] = np.floor(u[fraction] * (d[fraction] + 1))
        percent = (rule == RuleType.RATIO) & cf.ratio_percent[ind]
        value[percent] = np.round(u[percent] * 100.0, 1)
        tiers_value = (rule == RuleType.TIERS) & ~cf.tier_on_ratio[ind]
        value[tiers_value] = np.floor(u[tiers_value] * 14)
        tiers_ratio = (rule == RuleType.TIERS) & cf.tier_on_ratio[ind]
        value[tiers_ratio] = np.round(u[tiers_ratio], 3)
        count = rule == RuleType.COUNT
        value[count] = np.floor(u[count] * 10)
        points = rule == RuleType.POINTS
        value[points] = np.round(u[points] * cf.max[ind][points] * 2) / 2
        del u, d, rule, boolean, fraction, percent, tiers_value, tiers_ratio, count, points

        self.values = pl.DataFrame(
            {
                "unit": pl.Series(self.unit_codes, dtype=pl.Enum(self.unit_codes)).gather(unit),
                "period": pl.Series(self.period_codes, dtype=pl.Enum(self.period_codes)).gather(
                    period
                ),
                "indicator": pl.Series(
                    self.indicator_codes, dtype=pl.Enum(self.indicator_codes)
                ).gather(ind),
                "value": value,
                "denominator": pl.Series(denom).fill_nan(None),  # no denominator: null
            }
        )
        self.units = pl.DataFrame(
            {
                "unit": self.unit_codes,
                "name": [f"Đơn vị {u}" for u in self.unit_codes],
                "group": [GROUPS[g] for g in self.unit_group],
            }
        )

    @property
    def rows(self) -> int:
        return self.values.height

    def to_pandas(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The same values and units for pandas (categorical keys; built outside the timing)."""

        def categorical(column: str, categories: list[str]) -> pd.Categorical[str]:
            codes = self.values[column].to_physical().to_numpy()
            return pd.Categorical.from_codes(codes, categories=pd.Index(categories))

        values = pd.DataFrame(
            {
                "unit": categorical("unit", self.unit_codes),
                "period": categorical("period", self.period_codes),
                "indicator": categorical("indicator", self.indicator_codes),
                "value": self.values["value"].to_numpy(),
                "denominator": self.values["denominator"].to_numpy(),
            }
        )
        units = pd.DataFrame(
            {
                "unit": pd.Categorical(self.unit_codes, categories=pd.Index(self.unit_codes)),
                "group": [GROUPS[g] for g in self.unit_group],
            }
        )
        return values, units


# -- the pandas reference implementation ----------------------------------------------------


def rules_table(cf: CompiledFramework) -> pd.DataFrame:
    """One row per indicator with its rule parameters, as a pandas user would tabulate them."""
    table: dict[str, Any] = {
        "indicator": pd.Categorical(list(cf.codes), categories=pd.Index(list(cf.codes))),
        "rule": cf.rule.astype(np.int64),
        "max": cf.max,
        "target": cf.ratio_target,
        "floor": cf.ratio_floor,
        "percent_input": cf.ratio_percent,
        "per_item": cf.per_item,
        "tier_on_ratio": cf.tier_on_ratio,
        "pillar": cf.pillar,
    }
    for k in range(cf.tier_min.shape[1]):
        table[f"tier_min_{k}"] = cf.tier_min[:, k]
        table[f"tier_points_{k}"] = cf.tier_points[:, k + 1]
    return pd.DataFrame(table)


class PandasResult:
    """The pandas reference's tables: per unit × period, and per unit × period × pillar."""

    def __init__(self, totals: pd.DataFrame, pillars: pd.DataFrame) -> None:
        self.totals = totals
        self.pillars = pillars


def _levels(percent: pd.Series[float], levels: Sequence[Level], tolerance: float) -> Any:
    """The code of the highest level each percentage reaches (the last catches all)."""
    out = pd.Series(levels[-1].code, index=percent.index, dtype=object)
    for level in reversed(levels[:-1]):
        if level.strict:
            reached = percent > level.min_percent + tolerance
        else:
            reached = percent >= level.min_percent - tolerance
        out = out.mask(reached, level.code)
    return out


def pandas_score(
    values: pd.DataFrame, units: pd.DataFrame, rules: pd.DataFrame, fw: Framework
) -> PandasResult:
    """The same job as ``dti.engine.score``: rule points per row → totals, pillars and
    completion counts per unit × period → rank within period × group → band → change
    against the unit's previous period."""
    eps = 1e-9
    df = values.merge(rules, on="indicator", how="left")
    v = df["value"].fillna(0.0)
    ratio = (v / df["denominator"]).where(df["denominator"].notna(), v)
    ratio = ratio.where(~df["percent_input"], v / 100.0)
    ratio_points = (df["max"] * (ratio / df["target"]).clip(upper=1.0)).where(
        ratio + eps >= df["floor"], 0.0
    )
    basis = ratio.where(df["tier_on_ratio"], v)
    tier_points = pd.Series(0.0, index=df.index)
    k = 0
    while f"tier_min_{k}" in df.columns:
        tier_points = tier_points.mask(basis + eps >= df[f"tier_min_{k}"], df[f"tier_points_{k}"])
        k += 1
    rule = df["rule"]
    df["points"] = np.select(
        [
            rule == RuleType.BOOLEAN,
            rule == RuleType.RATIO,
            rule == RuleType.TIERS,
            rule == RuleType.COUNT,
        ],
        [
            df["max"] * (v >= 0.5),
            ratio_points,
            tier_points,
            (v * df["per_item"]).clip(upper=df["max"]),
        ],
        default=v,
    )
    keys = ["unit", "period"]
    totals = df.groupby(keys, observed=True)["points"].sum().reset_index(name="total")
    pillars = df.groupby([*keys, "pillar"], observed=True)["points"].sum().reset_index()
    df["level"] = _levels(df["points"] / df["max"] * 100.0, fw.completion_levels, LEVEL_TOLERANCE)
    counts = (
        df.groupby([*keys, "level"], observed=True)
        .size()
        .unstack("level", fill_value=0)
        .reindex(columns=[level.code for level in fw.completion_levels], fill_value=0)
        .add_prefix("n_")
        .reset_index()
    )
    totals = totals.merge(counts, on=keys, how="left").merge(units, on="unit", how="left")
    decimals = fw.scale.decimals
    factor = 10.0**decimals
    totals["score"] = np.floor(totals["total"] * factor + 0.5 + eps * factor) / factor
    totals["rank"] = (
        totals.groupby(["period", "group"], observed=True)["score"]
        .rank(method="min", ascending=False)
        .astype(np.int64)
    )
    group_max = fw.scale.total  # every leaf applies to every group in this benchmark
    percent = totals["score"] / group_max * 100.0
    band = pd.Series(fw.bands[-1].code, index=totals.index, dtype=object)
    for level in reversed(fw.bands):
        reached = percent > level.min_percent if level.strict else percent >= level.min_percent
        band = band.mask(reached, level.code)
    totals["band"] = band
    totals = totals.sort_values(keys)
    totals["change"] = (
        totals["score"] - totals.groupby("unit", observed=True)["score"].shift()
    ).round(decimals)
    return PandasResult(totals, pillars)


# -- timing ---------------------------------------------------------------------------------


def timed(repeat: int, job: Callable[[], Any]) -> tuple[list[float], Any]:
    """``repeat`` timed runs of ``job`` (after a collection): the seconds of each, and the
    last result."""
    runs, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = job()
        runs.append(time.perf_counter() - start)
    return runs, result


def one_unit_save(cf: CompiledFramework, data: Data, saves: int) -> tuple[float, float]:
    """Median wall and CPU seconds of scoring one unit's values of one period, with String
    keys as a save passes them; the first 50 calls warm up and are not counted."""
    unit, period = data.unit_codes[0], data.period_codes[-1]
    keys = pl.col("unit", "period", "indicator").cast(pl.String)
    values = data.values.filter(
        (pl.col("unit") == unit) & (pl.col("period") == period)
    ).with_columns(keys)
    units = data.units.filter(pl.col("unit") == unit)
    for _ in range(50):
        score(cf, values, units)
    wall, cpu = [], []
    for _ in range(saves):
        start, start_cpu = time.perf_counter(), time.process_time()
        score(cf, values, units)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux


def check_agreement(result: ScoreResult, reference: PandasResult) -> None:
    level_columns = [c for c in reference.totals.columns if c.startswith("n_")]
    ours = result.units.select(
        "unit", "period", "total", "score", "rank", "band", "change", *level_columns
    ).sort(["unit", "period"])
    ref = reference.totals.assign(
        unit=reference.totals["unit"].astype(str), period=reference.totals["period"].astype(str)
    ).sort_values(["unit", "period"])
    assert ours.height == len(ref), (ours.height, len(ref))
    assert ours["unit"].to_list() == ref["unit"].tolist()
    assert ours["period"].to_list() == ref["period"].tolist()
    np.testing.assert_allclose(ours["total"].to_numpy(), ref["total"].to_numpy(), atol=1e-6)
    np.testing.assert_array_equal(ours["score"].to_numpy(), ref["score"].to_numpy())
    np.testing.assert_array_equal(ours["rank"].to_numpy(), ref["rank"].to_numpy())
    assert ours["band"].to_list() == ref["band"].tolist()
    np.testing.assert_allclose(
        ours["change"].to_numpy(), ref["change"].to_numpy(), atol=1e-9, equal_nan=True
    )
    for column in level_columns:
        np.testing.assert_array_equal(ours[column].to_numpy(), ref[column].to_numpy())
    pillars = result.pillars.select("unit", "period", "pillar", "points").sort(
        ["unit", "period", "pillar"]
    )
    ref_pillars = reference.pillars.sort_values(["unit", "period", "pillar"])
    np.testing.assert_allclose(
        pillars["points"].to_numpy(), ref_pillars["points"].to_numpy(), atol=1e-6
    )


def profile_steps(job: Callable[[], Any], limit: int = 25) -> None:
    """Run ``job`` once under cProfile and print where ``dti.engine`` spends its time."""
    profiler = cProfile.Profile()
    profiler.enable()
    job()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "dti/engine/" in path.replace("\\", "/"):
            module = path.replace("\\", "/").rsplit("dti/engine/", 1)[1].removesuffix(".py")
            rows.append((cumulative, own, calls, f"{module}.{name}:{line}"))
    print("\nprofile of one dti.engine.score call (cProfile; seconds, inclusive / own):")
    for cumulative, own, calls, where in sorted(rows, reverse=True)[:limit]:
        print(f"  {cumulative:7.3f} {own:7.3f}  x{calls:<3d} {where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=10_000, help="number of units (10,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, best kept (3)")
    parser.add_argument("--saves", type=int, default=SAVES, help=f"one-unit saves timed ({SAVES})")
    parser.add_argument("--no-pandas", action="store_true", help="time dti.engine only")
    parser.add_argument(
        "--profile", action="store_true", help="also print a per-step profile of dti.engine"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)

    fw = synthetic_framework()
    cf = compile_framework(fw)
    start = time.perf_counter()
    data = Data(cf, args.units)
    generation = time.perf_counter() - start
    print(
        f"rows:             {data.rows:,} ({args.units:,} units x {N_INDICATORS} indicators "
        f"x {N_PERIODS} periods; Enum keys)"
    )
    print(f"data generation:  {generation:.2f} s (not timed)")

    dti_runs, result = timed(args.repeat, lambda: score(cf, data.values, data.units))
    dti_seconds, dti_median = min(dti_runs), statistics.median(dti_runs)
    dti_peak = peak_rss_bytes()
    if args.profile:
        profile_steps(lambda: score(cf, data.values, data.units))
    print(
        f"dti.engine.score: {dti_seconds:.3f} s  (best of {args.repeat}; median "
        f"{dti_median:.3f} s; target <= {TARGET_SECONDS:g} s: "
        f"{verdict(dti_seconds <= TARGET_SECONDS)})"
    )
    print(
        f"peak RSS so far:  {dti_peak / 1024**3:.2f} GB  (data + dti; target <= "
        f"{TARGET_RSS_BYTES / 1024**3:g} GB: {verdict(dti_peak <= TARGET_RSS_BYTES)})"
    )
    save_wall, save_cpu = one_unit_save(cf, data, args.saves)
    save_met = save_wall <= TARGET_SAVE_SECONDS
    print(
        f"one unit's save:  {save_wall * 1e3:.2f} ms  (median of {args.saves:,}; CPU "
        f"{save_cpu * 1e3:.2f} ms; target <= {TARGET_SAVE_SECONDS * 1e3:g} ms: "
        f"{verdict(save_met)})"
    )

    ratio_met = True
    if not args.no_pandas:
        rules = rules_table(cf)
        pandas_values, pandas_units = data.to_pandas()
        pandas_runs, reference = timed(
            args.repeat, lambda: pandas_score(pandas_values, pandas_units, rules, fw)
        )
        pandas_seconds, pandas_median = min(pandas_runs), statistics.median(pandas_runs)
        print(
            f"pandas group-by:  {pandas_seconds:.3f} s  (best of {args.repeat}; median "
            f"{pandas_median:.3f} s)"
        )
        ratio = pandas_median / dti_median
        ratio_met = ratio >= TARGET_RATIO
        print(
            f"ratio pandas/dti: {ratio:.1f}x  (medians; best {pandas_seconds / dti_seconds:.1f}x; "
            f"target >= {TARGET_RATIO:g}x: {verdict(ratio_met)})"
        )
        check_agreement(result, reference)
        print(
            "agreement:        totals, pillars, completion counts, scores, ranks, bands and "
            "changes identical"
        )
        print(f"peak RSS overall: {peak_rss_bytes() / 1024**3:.2f} GB  (incl. pandas)")
    print(f"load average:     {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    met = dti_seconds <= TARGET_SECONDS and dti_peak <= TARGET_RSS_BYTES and save_met and ratio_met
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
