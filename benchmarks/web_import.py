"""Benchmark: import a self-assessment workbook of 10,000 rows, then 100,000 rows of values.

    .venv/bin/python benchmarks/web_import.py            # 10,000 then 100,000 rows
    .venv/bin/python benchmarks/web_import.py --rows 2000 --big-rows 0 --strict

10,000 rows: the per-unit self-assessment workbook (``assessment_import_workbook``: one row per
leaf of the unit's framework). A synthetic framework with ``--rows`` leaves (100 per pillar,
boolean/points rules, flow-style YAML) is stored with ``framework_store``, a period is opened
for one unit, the template is written with ``dti.io.template.write_template`` and every row
filled in (setup, not timed), and the timed part is ``assessment_import_workbook`` called
directly (the view adds only the upload copy and the size check): read the workbook, validate
with the engine, update every entry, write the audit events, rescore. Target <= 5 s. Time per
step is printed.

100,000 rows: a unit's workbook cannot be that long (a framework of 100,000 leaves exceeds the
2 MB limit of ``dti.engine.safe_yaml``); the import of that size users meet is the department's
values table for many units, the period values import. ``--big-rows / 100`` units × 100 leaves,
an .xlsx values table (setup), then ``values_import_start`` stores it as the page does and its
background thread applies it while a watcher reads twice a second what the progress page shows.
Timed: from the upload to the job's end; peak RSS. The database runs on PostgreSQL in a
throwaway database (``--db``, created and dropped here). The helpers below are shared by the
other web benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
TARGET_SECONDS = 5.0


# -- shared helpers -----------------------------------------------------------------------------


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


@contextmanager
def bench_database(name: str, *, keep: bool = False, debug: bool = False) -> Iterator[str]:
    """Create database ``name`` (dropped first), point Django at it, migrate; drop afterwards."""
    assert name.startswith("dti_bench"), "only throwaway dti_bench* databases"
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(f"CREATE DATABASE {name}")
    url = f"{PG}/{name}"
    var = tempfile.mkdtemp(prefix="dti-bench-")
    os.environ.update(
        DTI_DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="dti.web.settings",
        DTI_DEBUG="1" if debug else "0",
        DTI_VAR_DIR=var,
    )
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"setup: database {name} migrated in {time.perf_counter() - t:.1f} s ({load()})")
    try:
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def framework_yaml(n_leaves: int, *, per_pillar: int = 100, code: str = "bench") -> str:
    """A valid framework with ``n_leaves`` leaves of max 1 (boolean / points rules)."""
    lines = [
        f"code: {code}",
        "name: {vi: Bộ chỉ số benchmark}",
        "years: [2024]",
        "sources: [{decision: synthetic}]",
        "status: reconstructed",
        f"scale: {{total: {n_leaves}, report: raw, decimals: 2}}",
        "groups: [{code: so, name: {vi: Sở}}]",
        "completion_levels: [{code: done, name: {vi: Xong}, min_percent: 90},"
        " {code: none, name: {vi: Chưa}, min_percent: 0}]",
        "bands: [{code: A, name: {vi: A}, min_percent: 80}, {code: B, name: {vi: B},"
        " min_percent: 50}, {code: C, name: {vi: C}, min_percent: 0}]",
        "tree:",
    ]
    pillars = (n_leaves + per_pillar - 1) // per_pillar
    left = n_leaves
    for p in range(1, pillars + 1):
        size = min(per_pillar, left)
        left -= size
        lines.append(f'- code: "{p}"')
        lines.append(f"  name: {{vi: T{p}}}")
        lines.append(f"  max: {size}")
        lines.append("  children:")
        for c in range(1, size + 1):
            rule = "boolean" if c % 2 else "points"
            leaf = f'{{code: "{p}.{c}", name: {{vi: c}}, max: 1, rule: {{type: {rule}}}}}'
            lines.append(f"  - {leaf}")
    return "\n".join(lines) + "\n"


def leaf_value(code: str) -> float:
    """A deterministic value in [0, 1] for a leaf (boolean leaves get 0/1, points 0.5 steps)."""
    p, c = (int(x) for x in code.split("."))
    return float((p + c) % 2) if c % 2 else ((p * 7 + c) % 3) / 2


def make_world(
    *,
    n_units: int,
    n_leaves: int,
    password_hash: str = "!",
    open_period: bool = True,
    filled: bool = True,
    prefix: str = "",
    year: int = 2024,
) -> dict[str, Any]:
    """Group ``so``, the framework, ``n_units`` units, one reporter each (bulk-created), and a
    period (opened with ``period_open`` for one unit; bulk-created otherwise). ``prefix`` and
    ``year`` keep a second world apart from the first in the same database."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from dti.web.accounts.models import Membership, Role
    from dti.web.assessments.models import Assessment, IndicatorEntry, Period, PeriodFramework
    from dti.web.assessments.services import period_open
    from dti.web.frameworks.selectors import framework_parsed, leaves_for_group
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import Unit, UnitKind
    from dti.web.registry.services import group_ensure

    so = group_ensure(code="so", name="Sở", unit_kind=UnitKind.DEPARTMENT, order=0)
    version = framework_store(
        actor=None, yaml_text=framework_yaml(n_leaves, code=f"{prefix}bench"), check_role=False
    )
    admin = User.objects.create(username=f"{prefix}bench-admin", password="!", is_superuser=True)
    Membership.objects.create(user=admin, role=Role.ADMIN)
    with transaction.atomic():
        units = Unit.objects.bulk_create(
            Unit(
                code=f"{prefix}u{i:05d}",
                name=f"Đơn vị {prefix}{i:05d}",
                kind=UnitKind.DEPARTMENT,
                group=so,
            )
            for i in range(n_units)
        )
        users = User.objects.bulk_create(
            User(username=f"{prefix}rep{i:05d}", password=password_hash) for i in range(n_units)
        )
        memberships = Membership.objects.bulk_create(
            Membership(user=u, role=Role.REPORTER) for u in users
        )
        Membership.units.through.objects.bulk_create(
            Membership.units.through(membership_id=m.pk, unit_id=unit.pk)
            for m, unit in zip(memberships, units, strict=True)
        )
    now = dt.datetime.now(dt.UTC)
    deadlines = {
        "self_deadline": now + dt.timedelta(days=30),
        "verification_deadline": now + dt.timedelta(days=60),
    }
    if n_units == 1 and open_period:
        period = period_open(
            actor=admin,
            year=year,
            name=f"Benchmark {year}",
            frameworks={so: version},
            self_deadline=deadlines["self_deadline"],
            verification_deadline=deadlines["verification_deadline"],
        )
    else:
        leaves = leaves_for_group(framework_parsed(version), "so")
        with transaction.atomic():
            period = Period.objects.create(year=year, name=f"Benchmark {year}", **deadlines)
            PeriodFramework.objects.create(period=period, group=so, framework=version)
            assessments = Assessment.objects.bulk_create(
                Assessment(period=period, unit=u, framework=version) for u in units
            )
            batch: list[IndicatorEntry] = []
            for a in assessments:
                for i, leaf in enumerate(leaves):
                    v = leaf_value(leaf.code) if filled else None
                    batch.append(
                        IndicatorEntry(assessment=a, indicator=leaf.code, position=i, self_value=v)
                    )
                if len(batch) >= 50_000:
                    IndicatorEntry.objects.bulk_create(batch)
                    batch = []
            IndicatorEntry.objects.bulk_create(batch)
    return {"group": so, "framework": version, "units": units, "users": users, "period": period}


class Steps:
    """Wall time spent inside named functions (monkeypatched wrappers; measurement only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, attr: str, label: str | None = None) -> None:
        original = getattr(owner, attr)
        name = label or attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t
                self.calls[name] = self.calls.get(name, 0) + 1

        setattr(owner, attr, timed)
        self._undo.append(lambda: setattr(owner, attr, original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def report(self) -> str:
        return ", ".join(
            f"{k} {v:.2f} s" + (f" ×{self.calls[k]}" if self.calls[k] > 1 else "")
            for k, v in self.seconds.items()
        )


# -- workbook -----------------------------------------------------------------------------------


def filled_template(framework: Any, path: Path, *, unit: str, period: str) -> int:
    """Write the template for group ``so`` and fill in the value column of every leaf row."""
    from openpyxl import load_workbook

    from dti.io.tables import TEMPLATE_VALUES_SHEET
    from dti.io.template import write_template

    write_template(framework, "so", path, unit=unit, period=period)
    wb = load_workbook(path)
    ws = wb[TEMPLATE_VALUES_SHEET]
    n = 0
    for row in ws.iter_rows(min_row=2):
        code = row[0].value
        if isinstance(code, str) and code.count(".") == 1 and row[3].value:
            row[4].value = leaf_value(code)
            n += 1
    wb.save(path)
    return n


def run_service(rows: int, repeat: int, tmp: Path) -> tuple[float, bool]:
    from django.contrib.auth.models import User

    from dti.web.assessments import services
    from dti.web.assessments.models import Assessment
    from dti.web.audit.models import AuditEvent
    from dti.web.frameworks.selectors import framework_parsed

    t = time.perf_counter()
    world = make_world(n_units=1, n_leaves=rows)
    assessment = Assessment.objects.select_related("unit__group", "period", "framework").get(
        period=world["period"]
    )
    reporter = User.objects.get(username="rep00000")
    framework = framework_parsed(world["framework"])
    path = tmp / "self-assessment.xlsx"
    filled = filled_template(framework, path, unit=assessment.unit.code, period="2024")
    size = path.stat().st_size
    print(
        f"setup: framework of {rows:,} leaves, 1 unit, template with {filled:,} filled rows "
        f"({size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s ({load()})"
    )
    steps = Steps()
    steps.wrap(services, "read_values")
    steps.wrap(services, "run", "engine validation (run)")
    steps.wrap(services, "audit_changes")
    steps.wrap(services, "assessment_recompute")
    steps.wrap(AuditEvent.objects, "bulk_create", "audit bulk_create")
    times = []
    for i in range(repeat):
        steps.reset()
        # Flip the values before every run after the first, so that every run changes every
        # entry (a full import, not a no-op).
        if i:
            from openpyxl import load_workbook

            from dti.io.tables import TEMPLATE_VALUES_SHEET

            wb = load_workbook(path)
            ws = wb[TEMPLATE_VALUES_SHEET]
            for row in ws.iter_rows(min_row=2):
                if isinstance(row[4].value, (int, float)):
                    row[4].value = 1.0 - float(row[4].value)
            wb.save(path)
        start = time.perf_counter()
        n = services.assessment_import_workbook(
            actor=reporter, assessment=assessment, path=path, file_name="self-assessment.xlsx"
        )
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        other = elapsed - sum(steps.seconds.values())
        print(
            f"  run {i + 1}: {n:,} rows imported in {elapsed:.2f} s ({load()}); "
            f"{steps.report()}, entry UPDATEs + rest {other:.2f} s"
        )
    steps.restore()
    events = AuditEvent.objects.filter(assessment=assessment, action="entry_import").count()
    median = sorted(times)[len(times) // 2]
    ok = median <= TARGET_SECONDS
    print(
        f"import {rows:,} rows (assessment_import_workbook): median {median:.2f} s of "
        f"{len(times)} (target <= {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}); "
        f"{events:,} audit events written; peak RSS {peak_rss_mb():.0f} MB ({load()})"
    )
    return median, ok


def run_big(rows: int, tmp: Path, *, leaves: int = 100) -> None:
    """The period values import of ``rows`` rows (``rows / leaves`` units × ``leaves`` leaves):
    stored as the page stores it, then run as its background thread runs it, while a watcher
    reads the progress the page shows."""
    import threading

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections

    from dti.web.assessments import period_import
    from dti.web.assessments.models import IndicatorEntry, ValuesImport
    from dti.web.audit.models import AuditEvent

    n_units = max(1, rows // leaves)
    t = time.perf_counter()
    world = make_world(n_units=n_units, n_leaves=leaves, filled=False, prefix="p", year=2025)
    from django.contrib.auth.models import User

    admin = User.objects.get(username="pbench-admin")  # an administrator (make_world)
    codes = [n.code for n in _leaf_codes(leaves)]
    path = tmp / "so-lieu.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = wb.add_worksheet("values")
    for c, h in enumerate(("unit", "period", "indicator", "value")):
        sheet.write_string(0, c, h)
    r = 0
    for i in range(n_units):
        for code in codes:
            r += 1
            sheet.write_string(r, 0, f"pu{i:05d}")
            sheet.write_string(r, 1, "2025")
            sheet.write_string(r, 2, code)
            sheet.write_number(r, 3, leaf_value(code))
    wb.close()
    size = path.stat().st_size
    print(
        f"{r:,} rows: setup: {n_units:,} units x {leaves} leaves, values table of {size / 1e6:.1f}"
        f" MB written in {time.perf_counter() - t:.1f} s ({load()})"
    )
    job = period_import.values_import_start(
        actor=admin, period=world["period"], upload=SimpleUploadedFile(path.name, path.read_bytes())
    )
    seen: list[tuple[float, str, int | None, int, int | None]] = []
    stop = threading.Event()

    def watch() -> None:  # what the progress page reads, twice a second
        try:
            while not stop.is_set():
                j = ValuesImport.objects.get(pk=job.pk)
                p = period_import.import_progress(j)
                at = time.perf_counter() - start
                seen.append((at, j.state, p.percent, j.rows_done, p.written))
                stop.wait(0.5)
        finally:
            connections.close_all()

    # values_import_start has already started the job's thread (no transaction is open here,
    # so its on-commit hook ran at once): wait for it as the page does.
    rss0 = peak_rss_mb()
    start = time.perf_counter()
    watcher = threading.Thread(target=watch)
    watcher.start()
    running = next(t for t in threading.enumerate() if t.name == f"values-import-{job.pk}")
    running.join()
    elapsed = time.perf_counter() - start
    stop.set()
    watcher.join()
    done = ValuesImport.objects.get(pk=job.pk)
    for at, state, percent, read, written in seen[:: max(1, len(seen) // 10)]:
        bar = "-" if percent is None else f"{percent}"
        print(
            f"    progress page at {at:4.1f} s: {state}, bar {bar} %, {read:,} rows read, "
            f"{'-' if written is None else f'{written:,}'} written"
        )
    written = IndicatorEntry.objects.filter(
        assessment__period=world["period"], self_value__isnull=False
    ).count()
    events = AuditEvent.objects.filter(action="entry_import", reason=path.name).count()
    print(
        f"{r:,} rows (period values import): {done.state} in {elapsed:.1f} s, "
        f"{done.changed:,} values changed in {done.units:,} units ({written:,} entries filled, "
        f"{events:,} audit events); peak RSS {peak_rss_mb():.0f} MB (before {rss0:.0f} MB); "
        f"the progress bar took {len({s[2] for s in seen})} distinct values ({load()})"
    )


def _leaf_codes(leaves: int) -> list[Any]:
    from dti.engine import load_framework

    return load_framework(framework_yaml(leaves)).leaves()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="0: skip")
    parser.add_argument("--big-rows", type=int, default=100_000, help="0: skip")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default="dti_bench_import")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    print(f"start ({load()})")
    with tempfile.TemporaryDirectory() as d, bench_database(args.db, keep=args.keep):
        ok = True
        if args.rows:
            _, ok = run_service(args.rows, args.repeat, Path(d))
        if args.big_rows:
            run_big(args.big_rows, Path(d))
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
