"""Benchmark: ``dti score -o results.xlsx`` against ``-o results.csv`` on a national-size input.

    .venv/bin/python benchmarks/results_write.py                         # this tree
    .venv/bin/python benchmarks/results_write.py --compare /tmp/old/src  # and another, same run

The input is the size of the whole reformed country: 4,451 units × 3 periods = 13,353
unit-years, 50 leaves each = 667,650 values (a synthetic framework of 5 pillars, boolean and
points rules; ``values.csv`` and ``units.csv`` written here, not timed). Each run is the whole
command in a fresh interpreter (``python -m dti.cli score``, ``PYTHONPATH`` pointing at the
tree's ``src``): reading, scoring and writing, the CSV and the Excel output alternating,
``--repeat`` times. Printed: medians, every run, and the median of the Excel/CSV ratios of
back-to-back pairs beside the target (≤ 1.5×). ``--compare`` takes the ``src`` of another
checkout (``git archive main src | tar -x -C /tmp/old``) to time the writer it had, in the
same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from web_import import framework_yaml, leaf_value  # noqa: E402

TARGET_RATIO = 1.5
PERIODS = ("2022", "2023", "2024")


def write_inputs(tmp: Path, *, units: int, leaves: int) -> tuple[Path, Path, Path, int]:
    framework = tmp / "bench.yaml"
    text = framework_yaml(leaves, per_pillar=10).replace(
        "years: [2024]", f"years: [{', '.join(PERIODS)}]"
    )
    framework.write_text(text, encoding="utf-8")
    codes = [f"{p}.{c}" for p in range(1, leaves // 10 + 1) for c in range(1, 11)]
    units_csv = tmp / "units.csv"
    with units_csv.open("w", encoding="utf-8") as out:
        out.write("unit,name,group\n")
        for u in range(units):
            out.write(f"X{u:05d},Xã số {u},so\n")
    values_csv = tmp / "values.csv"
    n = 0
    with values_csv.open("w", encoding="utf-8") as out:
        out.write("unit,period,indicator,value\n")
        for u in range(units):
            for period in PERIODS:
                shift = (u + int(period)) % 3
                for code in codes:
                    value = leaf_value(code) if shift else 1.0 - leaf_value(code) % 1
                    out.write(f"X{u:05d},{period},{code},{value:g}\n")
                    n += 1
    return framework, units_csv, values_csv, n


def run(src: Path, inputs: tuple[Path, Path, Path], out: Path) -> float:
    framework, units, values = inputs
    env = {**os.environ, "PYTHONPATH": str(src)}
    started = time.perf_counter()
    command = [sys.executable, "-m", "dti.cli", "score", "-f", str(framework)]
    command += ["-u", str(units), "-d", str(values), "-o", str(out)]
    subprocess.run(
        command,
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=4451)
    parser.add_argument("--leaves", type=int, default=50, help="a multiple of 10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another tree's src, timed in the same run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dti-results-"))
    *inputs, n = write_inputs(tmp, units=args.units, leaves=args.leaves)
    print(
        f"input: {args.units:,} units × {len(PERIODS)} periods = "
        f"{args.units * len(PERIODS):,} unit-years, {n:,} values"
    )
    trees = {"this tree": REPO / "src"}
    if args.compare:
        trees["compared"] = args.compare.resolve()
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for name, src in trees.items():
            for suffix in ("csv", "xlsx"):
                seconds = run(src, (inputs[0], inputs[1], inputs[2]), tmp / f"results.{suffix}")
                times.setdefault((name, suffix), []).append(seconds)
                print(f"  {name:9} {suffix:4} {seconds:6.2f} s  (load {os.getloadavg()[0]:.2f})")
    met = True
    for name in trees:
        csv, xlsx = (statistics.median(times[(name, s)]) for s in ("csv", "xlsx"))
        # The load moves between runs: each Excel run is set against the CSV run just before it.
        ratio = statistics.median(
            x / c for c, x in zip(*(times[(name, s)] for s in ("csv", "xlsx")), strict=True)
        )
        ok = ratio <= TARGET_RATIO
        met = met and (ok or name != "this tree")
        runs = ", ".join(f"{t:.2f}" for t in times[(name, "xlsx")])
        print(
            f"{name}: csv {csv:.2f} s, xlsx {xlsx:.2f} s (runs {runs}); xlsx/csv {ratio:.2f}× "
            f"(target ≤ {TARGET_RATIO}×: {'met' if ok else 'missed'})"
        )
    print(f"load {os.getloadavg()[0]:.2f}; files in {tmp}")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
