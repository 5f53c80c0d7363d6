"""Benchmark: recompute the scores and ranks of a period of 5,000 units.

    .venv/bin/python benchmarks/web_recompute.py                  # 5,000 units x 100 leaves
    .venv/bin/python benchmarks/web_recompute.py --budget 60      # stop after 60 s, extrapolate

The app has no service that rescores a whole period: scores are stored per assessment by
``services.assessment_recompute`` (called after every save) and ranks are not stored, they are
computed when read by ``selectors.period_results``. So what is timed is
``assessment_recompute`` for every assessment of the period (one transaction each, as the app
does it) followed by one ``period_results`` (the ranking of the whole period). Setup (units,
reporters, assessments, entries with values) is bulk-created through the ORM and not timed.
Target <= 10 s.

Readers: during the recompute a second PostgreSQL connection (psycopg, its own thread) runs
``SELECT count(*), sum(self_score)`` over the period's assessments every 0.2 s; the longest
such SELECT and whether any failed are printed. With ``--budget S`` the recompute stops after S
seconds and the time for all units is extrapolated from the rate (said so in the output).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from web_import import Steps, bench_database, load, make_world, peak_rss_mb

TARGET_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--budget", type=float, default=0, help="stop after S seconds (0: all)")
    parser.add_argument("--db", default="dti_bench_recompute")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    print(f"start ({load()})")
    with bench_database(args.db, keep=args.keep) as url:
        import psycopg

        from dti.web.assessments import selectors, services
        from dti.web.assessments.models import Assessment, IndicatorEntry

        t = time.perf_counter()
        world = make_world(n_units=args.units, n_leaves=args.leaves)
        period = world["period"]
        n_entries = IndicatorEntry.objects.filter(assessment__period=period).count()
        print(
            f"setup: {args.units:,} units, {n_entries:,} entries bulk-created in "
            f"{time.perf_counter() - t:.1f} s ({load()})"
        )
        assessments = list(
            Assessment.objects.filter(period=period).select_related(
                "period", "unit__group", "framework"
            )
        )
        services.assessment_recompute(assessment=assessments[0])  # warm the framework cache

        stop = threading.Event()
        reads: list[float] = []
        failures: list[str] = []

        def reader() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                while not stop.is_set():
                    t0 = time.perf_counter()
                    try:
                        conn.execute(
                            "SELECT count(*), sum(self_score) FROM assessments_assessment "
                            "WHERE period_id = %s",
                            (period.pk,),
                        ).fetchone()
                        reads.append(time.perf_counter() - t0)
                    except psycopg.Error as exc:
                        failures.append(str(exc))
                    stop.wait(0.2)

        steps = Steps()
        steps.wrap(services, "run", "engine run")
        steps.wrap(services, "audit_changes")
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        start = time.perf_counter()
        done = 0
        for a in assessments:
            services.assessment_recompute(assessment=a)
            done += 1
            if args.budget and time.perf_counter() - start > args.budget:
                break
        t_scores = time.perf_counter() - start
        t = time.perf_counter()
        results = selectors.period_results(period)
        t_ranks = time.perf_counter() - t
        stop.set()
        thread.join(timeout=5)
        steps.restore()
        ranked = sum(len(rows) for rows in results.values())
        full = t_scores * len(assessments) / done + t_ranks
        rest = t_scores - sum(steps.seconds.values())
        per = t_scores / done * 1000
        extrapolated = "" if done == len(assessments) else " (extrapolated from the rate)"
        ok = full <= TARGET_SECONDS
        print(
            f"assessment_recompute x {done:,} of {len(assessments):,}: {t_scores:.1f} s "
            f"({per:.1f} ms each; {steps.report()}, ORM load/save + rest {rest:.1f} s) ({load()})"
        )
        print(f"period_results (ranks of {ranked:,} units): {t_ranks:.2f} s")
        print(
            f"recompute scores + ranks of {len(assessments):,} units: {full:.1f} s{extrapolated} "
            f"(target <= {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}); "
            f"peak RSS {peak_rss_mb():.0f} MB ({load()})"
        )
        print(
            f"readers during the recompute: {len(reads)} SELECTs in another connection, "
            f"{len(failures)} failed, longest {max(reads, default=0) * 1000:.1f} ms, "
            f"median {sorted(reads)[len(reads) // 2] * 1000 if reads else 0:.1f} ms "
            + (
                "(not blocked)"
                if reads and not failures and max(reads) < 1.0
                else "(BLOCKED or failing)"
            )
        )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
