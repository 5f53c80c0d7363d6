"""Benchmark: reading the 100,000-row values workbook alone (``dti.io.tables.read_values``).

    .venv/bin/python benchmarks/read_values.py                         # this tree
    .venv/bin/python benchmarks/read_values.py --compare /tmp/old/src  # and another, same run

The workbook is the one ``web_import.py --rows 0`` imports (1,000 units × 100 leaves, written
by XlsxWriter in constant-memory mode, values as numbers). Each reading runs in a fresh
interpreter (``PYTHONPATH`` pointing at the tree's ``src``), alternating between the trees,
``--repeat`` times; printed: the median and every run's seconds, and the peak RSS growth over
the interpreter's own baseline (after its imports). ``--compare`` takes the ``src`` of another
checkout (e.g. ``git archive HEAD~5 src | tar -x -C /tmp/old``) to time the reader it had.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
from pathlib import Path
from dti.io.tables import read_values
import polars
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
frame, _ = read_values(Path(sys.argv[1]))
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rows": frame.height, "growth_mb": peak - base,
                  "total": float(frame["value"].sum())}))
"""


def write_values(path: Path, *, units: int = 1000, leaves: int = 100) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("values")
    for c, h in enumerate(("unit", "period", "indicator", "value")):
        sheet.write_string(0, c, h)
    r = 0
    for i in range(units):
        for c in range(1, leaves + 1):
            r += 1
            sheet.write_string(r, 0, f"pu{i:05d}")
            sheet.write_string(r, 1, "2025")
            sheet.write_string(r, 2, f"1.{c}")
            sheet.write_number(r, 3, float((1 + c) % 2) if c % 2 else ((7 + c) % 3) / 2)
    book.close()
    return r


def read_once(src: Path, path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="the src directory of another checkout")
    args = parser.parse_args()
    trees = {"this tree": REPO / "src"}
    if args.compare is not None:
        trees["compared"] = args.compare
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "so-lieu.xlsx"
        t = time.perf_counter()
        rows = write_values(path, units=args.units, leaves=args.leaves)
        print(
            f"{rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, written in "
            f"{time.perf_counter() - t:.1f} s; load {os.getloadavg()[0]:.2f}"
        )
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(args.repeat):
            for name, src in trees.items():
                runs[name].append(read_once(src, path))
    for name, results in runs.items():
        seconds = [r["seconds"] for r in results]
        growth = max(r["growth_mb"] for r in results)
        assert all(r["rows"] == rows for r in results), results
        print(
            f"{name:10} ({trees[name]}): read_values median {statistics.median(seconds):.2f} s "
            f"(runs {', '.join(f'{s:.2f}' for s in seconds)}), peak RSS +{growth:.0f} MB, "
            f"sum of values {results[0]['total']:,.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
