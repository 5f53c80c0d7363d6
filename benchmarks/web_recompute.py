"""Benchmark: recompute the scores and ranks of a period of 5,000 units.

    .venv/bin/python benchmarks/web_recompute.py                  # 5,000 units x 100 leaves
    .venv/bin/python benchmarks/web_recompute.py --units 500      # a smaller run

What is timed is what an admin's framework correction runs: ``services.period_recompute`` (all
entries of the period in one query, one engine call per framework, ``bulk_update`` of the
stored scores, one audit event per moved score) followed by ``selectors.period_results`` (the
ranking of the whole period, as the results pages compute it). Setup (units, reporters,
assessments, entries with values) is bulk-created through the ORM and not timed. The scores
stored by setup are wiped first, so every assessment's score moves and is audited (the worst
case). Target <= 10 s.

Readers: during the recompute a second PostgreSQL connection (psycopg, its own thread) runs
``SELECT count(*), sum(self_score)`` over the period's assessments every 0.05 s; the longest
such SELECT and whether any failed are printed.
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
        Assessment.objects.filter(period=period).update(self_score=None)

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
                    stop.wait(0.05)

        steps = Steps()
        steps.wrap(services, "period_batches", "load entries")
        steps.wrap(services, "score", "engine")
        steps.wrap(services, "summaries")
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        start = time.perf_counter()
        report = services.period_recompute(actor=None, period=period, check_role=False)
        t_scores = time.perf_counter() - start
        t = time.perf_counter()
        results = selectors.period_results(period)
        t_ranks = time.perf_counter() - t
        stop.set()
        thread.join(timeout=5)
        steps.restore()
        ranked = sum(len(rows) for rows in results.values())
        stored = Assessment.objects.filter(period=period, self_score__isnull=False).count()
        full = t_scores + t_ranks
        rest = t_scores - sum(steps.seconds.values())
        ok = full <= TARGET_SECONDS
        print(
            f"period_recompute of {report.recomputed:,} assessments ({report.changed:,} moved, "
            f"{stored:,} stored): {t_scores:.2f} s ({steps.report()}, writes + audit + rest "
            f"{rest:.2f} s) ({load()})"
        )
        print(f"period_results (ranks of {ranked:,} units): {t_ranks:.2f} s")
        print(
            f"recompute scores + ranks of {report.recomputed:,} units: {full:.1f} s "
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
