"""Benchmark: the whole 1 July 2025 reorganisation imported through ``units_import``.

    .venv/bin/python benchmarks/units_reform.py                  # before (one province) and after
    .venv/bin/python benchmarks/units_reform.py --no-before --strict

63 provinces into 34, 696 districts ended, 10,038 communes into 3,315, 10,353 commune edges
(merges, about 300 communes split between several new ones — each such edge ``split_merge`` —
and renames) plus 63 province edges: one workbook (a ``units`` sheet of 14,146 units and a
``lineage`` sheet of 10,416 edges) imported all or nothing by a national-level administrator on
PostgreSQL, with the steps the progress page shows printed as they come. Target: ≤ 60 s.

Source of the mapping: the public repository **tanthuan031/vnadministrative** (MIT licence),
commit 7f7ac8f575ecdc435e0868bf727325e9e99ceef2, files ``new_to_old.json`` (every new commune
with the old communes it was formed from, and every new province with its old ones) and
``api/districts/*.json`` (the 696 old districts). ``benchmarks/data/reform_2025.csv.gz``
(145 kB) is derived from them — one row per province, district, new commune and old-commune
edge: ``level, code, name, parent, successor`` — and the workbook is generated from it here at
benchmark time; nothing is downloaded.

*Before*: the import as it was at 6f57328 (each edge through ``record_lineage``, which reloads
every unit and edge and re-validates the registry) on old provinces' shares of the file
(``--before-province``, default Lào Cai and Nghệ An: their districts, old communes and the new
communes these went into), each capped at ``--before-cap`` seconds; *after*: the same shares,
then the whole country.
The database is ``dti_units`` on the local PostgreSQL (dropped and created here).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data" / "reform_2025.csv.gz"
DATABASE = "dti_units"
PG = "postgres://root@127.0.0.1:5432"
TARGET_SECONDS = 60.0
BEFORE_COMMIT = "6f57328"
LAST_DAY, FIRST_DAY = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
BASIS_PROVINCES = "Nghị quyết 202/2025/QH15"
BASIS_COMMUNES = "Nghị quyết của UBTVQH về sắp xếp đơn vị hành chính cấp xã năm 2025"


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def setup_database() -> None:
    _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DATABASE}")
    os.environ.update(
        DTI_DATABASE_URL=f"{PG}/{DATABASE}",
        DJANGO_SETTINGS_MODULE="dti.web.settings",
        DTI_DEBUG="0",
        DTI_VAR_DIR=tempfile.mkdtemp(prefix="dti-units-bench-"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reform_tables(
    only_province: str | None = None,
) -> tuple[list[list[Any]], list[list[Any]]]:
    """The units and lineage rows of the reform (or of one old province's districts and
    communes, with the new communes they went into)."""
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    district_province = {r["code"]: r["parent"] for r in rows if r["level"] == "district"}
    units: list[list[Any]] = []
    edges: list[tuple[str, str]] = []
    wanted_new: set[str] = set()
    for r in rows:
        level, code, name, parent, successor = (
            r["level"],
            r["code"],
            r["name"],
            r["parent"],
            r["successor"],
        )
        if only_province is not None:
            if level in ("province", "new_province", "new_commune"):
                continue
            if level == "district" and parent != only_province:
                continue
            if level == "commune" and district_province.get(parent) != only_province:
                continue
        if level == "province":
            units.append([f"tinh-{code}", name, "tinh", "", LAST_DAY, BASIS_PROVINCES])
            edges.append((f"tinh-{code}", f"tinh34-{successor}"))
        elif level == "new_province":
            units.append([f"tinh34-{code}", name, "tinh", "", FIRST_DAY, BASIS_PROVINCES])
        elif level == "district":
            parent_code = f"tinh-{parent}" if only_province is None else ""
            units.append([f"huyen-{code}", name, "huyen", parent_code, LAST_DAY, BASIS_COMMUNES])
        elif level == "new_commune":
            units.append([f"xa34-{code}", name, "xa", f"tinh34-{parent}", FIRST_DAY, ""])
        else:
            units.append([f"xa-{code}", name, "xa", f"huyen-{parent}", LAST_DAY, ""])
            edges.append((f"xa-{code}", f"xa34-{successor}"))
            wanted_new.add(successor)
    if only_province is not None:  # the new communes the province's communes went into
        for r in rows:
            if r["level"] == "new_commune" and r["code"] in wanted_new:
                units.append([f"xa34-{r['code']}", r["name"], "xa", "", FIRST_DAY, ""])
    # An old commune split between several new ones has a row per edge: one unit.
    units = list({u[0]: u for u in units}.values())
    into, out = Counter(dst for _s, dst in edges), Counter(src for src, _d in edges)
    lineage = []
    for src, dst in edges:
        split, merged = out[src] > 1, into[dst] > 1
        kind = (
            "split_merge"
            if split and merged
            else "merge"
            if merged
            else "split"
            if split
            else "rename"
        )
        basis = BASIS_PROVINCES if src.startswith("tinh") else BASIS_COMMUNES
        lineage.append([FIRST_DAY, kind, src, dst, None, basis])
    return units, lineage


def write_workbook(path: Path, units: list[list[Any]], lineage: list[list[Any]]) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False}
    ) as book:
        date = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet = book.add_worksheet("units")
        sheet.write_row(
            0, 0, ["unit", "name", "group", "parent", "valid_from", "valid_to", "basis"]
        )
        for i, (code, name, group, parent, day, basis) in enumerate(units, start=1):
            sheet.write_row(i, 0, [code, name, group, parent])
            column = 4 if day == FIRST_DAY else 5
            sheet.write_datetime(i, column, dt.datetime.combine(day, dt.time()), date)
            sheet.write(i, 6, basis)
        sheet = book.add_worksheet("lineage")
        sheet.write_row(0, 0, ["date", "kind", "from", "to", "weight", "basis"])
        for i, (day, kind, src, dst, _weight, basis) in enumerate(lineage, start=1):
            sheet.write_datetime(i, 0, dt.datetime.combine(day, dt.time()), date)
            sheet.write_row(i, 1, [kind, src, dst, "", basis])


def national_admin() -> Any:
    from django.contrib.auth.models import User

    from dti.web.accounts.models import Membership, Role
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure

    for code, name, kind, order in (
        ("tinh", "Tỉnh, thành phố", UnitKind.PROVINCE, 1),
        ("huyen", "Huyện, quận, thị xã", UnitKind.DISTRICT, 2),
        ("xa", "Xã, phường, đặc khu", UnitKind.COMMUNE, 3),
    ):
        group_ensure(code=code, name=name, unit_kind=kind, order=order)
    admin = User.objects.create(username="national-admin", password="!")
    Membership.objects.create(user=admin, role=Role.ADMIN)  # no province: the national level
    return admin


def old_units_import() -> Any:
    """``units_import`` as it was at BEFORE_COMMIT (the quadratic one)."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE_COMMIT}:src/dti/web/registry/services/units_import.py"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("units_import_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, "units_import_before.py", "exec"), module.__dict__)
    return module.units_import


def timed_import(run: Any, admin: Any, path: Path, *, verbose: bool) -> float:
    from django.db import transaction

    started = time.perf_counter()
    last: list[str] = [""]

    def progress(step: str, done: int, total: int) -> None:
        if verbose and (step != last[0] or done == total):
            print(f"  {time.perf_counter() - started:6.1f} s  {step} {done:,}/{total:,}")
            last[0] = step

    kwargs: dict[str, Any] = {"progress": progress} if verbose else {}
    with transaction.atomic():
        run(actor=admin, path=path, **kwargs)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # the next arm starts from the same empty registry
    return seconds


def _before(admin: Any, path: Path, cap: float) -> str:
    import multiprocessing

    # The old import runs in a child process so that it can be stopped at the cap.
    context = multiprocessing.get_context("fork")
    from django.db import connections

    connections.close_all()
    result = context.Queue()

    def child() -> None:
        from django.contrib.auth.models import User

        result.put(
            timed_import(old_units_import(), User.objects.get(pk=admin.pk), path, verbose=False)
        )

    process = context.Process(target=child)
    process.start()
    process.join(cap)
    if process.is_alive():
        process.terminate()
        process.join()
        return f"did not finish in {cap:.0f} s"
    return f"{result.get():.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before-province",
        nargs="+",
        default=["48", "51"],
        help="old province ids for the before/after pair (48: Lào Cai, 51: Nghệ An)",
    )
    parser.add_argument("--before-cap", type=float, default=300.0)
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    setup_database()
    admin = national_admin()
    tmp = Path(tempfile.mkdtemp(prefix="dti-units-reform-"))
    whole, share = tmp / "reform.xlsx", tmp / "province.xlsx"
    units, lineage = reform_tables()
    write_workbook(whole, units, lineage)
    kinds = Counter(row[1] for row in lineage)
    levels: defaultdict[str, int] = defaultdict(int)
    for code, *_rest in units:
        levels[code.split("-")[0]] += 1
    print(
        f"file: {len(units):,} units ({dict(levels)}), {len(lineage):,} edges ({dict(kinds)}), "
        f"{whole.stat().st_size / 1e6:.1f} MB; load {os.getloadavg()[0]:.2f}"
    )
    from dti.web.registry.services import units_import

    for old in () if args.no_before else args.before_province:
        p_units, p_lineage = reform_tables(old)
        write_workbook(share, p_units, p_lineage)
        print(f"old province {old}: {len(p_units):,} units, {len(p_lineage):,} edges")
        print(f"  before ({BEFORE_COMMIT}): {_before(admin, share, args.before_cap)}")
        print(f"  after: {timed_import(units_import, admin, share, verbose=False):.1f} s")
    print("whole country:")
    seconds = timed_import(units_import, admin, whole, verbose=True)
    met = seconds <= TARGET_SECONDS
    print(
        f"units_import, whole reform: {seconds:.1f} s (target ≤ {TARGET_SECONDS:.0f} s: "
        f"{'met' if met else 'missed'}); load {os.getloadavg()[0]:.2f}"
    )
    _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
