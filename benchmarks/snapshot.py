"""Benchmark: a snapshot of a period of 5,000 units (PostgreSQL).

    .venv/bin/python benchmarks/snapshot.py                 # 5,000 units x 100 leaves
    .venv/bin/python benchmarks/snapshot.py --units 500     # a smaller run

What is timed is what the schedule and "take a snapshot now" run: ``snapshot_take`` — every
entry of the period in one query per framework, the values that count scored and ranked by
one engine call, the framework's data-quality rules judged on the same frame, one result row
per unit (score, rank, pillars, the values read and their points, warnings) bulk-inserted and
the audit event, in one transaction. Setup (units, reporters, assessments, entries with
values) is bulk-created through the ORM and not timed; the framework carries two quality
rules (a range, and a value not above another) that every unit breaks — two warnings each,
the worst case — so that their cost is in the figure. Target
<= 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import web_import
from web_import import Steps, bench_database, load, make_world, peak_rss_mb

TARGET_SECONDS = 10.0
QUALITY = """quality:
- {check: range, indicator: "1.2", min: 0.5}
- {check: not_above, indicator: "1.4", other: "1.1"}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--db", default="dti_bench_snapshot")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    print(f"start ({load()})")
    plain = web_import.framework_yaml
    web_import.framework_yaml = lambda n, **kw: plain(n, **kw) + QUALITY
    with bench_database(args.db, keep=args.keep) as _url:
        from dti.web.assessments.models import IndicatorEntry
        from dti.web.snapshots import services
        from dti.web.snapshots.models import SnapshotResult

        t = time.perf_counter()
        world = make_world(n_units=args.units, n_leaves=args.leaves)
        period = world["period"]
        n_entries = IndicatorEntry.objects.filter(assessment__period=period).count()
        print(
            f"setup: {args.units:,} units, {n_entries:,} entries bulk-created in "
            f"{time.perf_counter() - t:.1f} s ({load()})"
        )
        steps = Steps()
        steps.wrap(services, "period_batches", "load entries")
        steps.wrap(services, "score", "engine")
        steps.wrap(services, "batch_quality", "quality rules")
        start = time.perf_counter()
        snapshot = services.snapshot_take(
            actor=None, period=period, as_of=dt.date(2024, 6, 1), check_role=False
        )
        took = time.perf_counter() - start
        steps.restore()
        rows = SnapshotResult.objects.filter(snapshot=snapshot).count()
        rest = took - sum(steps.seconds.values())
        ok = took <= TARGET_SECONDS and rows == args.units
        print(
            f"snapshot of {rows:,} units ({snapshot.warnings:,} data-quality warnings): "
            f"{took:.2f} s ({steps.report()}, result rows + writes + audit {rest:.2f} s) "
            f"(target <= {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}); "
            f"peak RSS {peak_rss_mb():.0f} MB ({load()})"
        )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
