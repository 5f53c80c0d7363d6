"""Benchmark: a pull of 3,321 communes × 20 measured indicators from a local source.

    .venv/bin/python benchmarks/connector_pull.py              # 3,321 communes × 20 leaves
    .venv/bin/python benchmarks/connector_pull.py --units 300  # a smaller run
    .venv/bin/python benchmarks/connector_pull.py --strict     # exit 1 when the target is missed

Setup (not timed): a throwaway PostgreSQL database (``--db``), a framework of 20 ratio leaves
measured by the connector ``bench`` (field ``n<i>`` over ``d<i>``), ``--units`` communes with
their assessments and empty entries (bulk-created), and the source: JSON pages of 500 records
written to a folder and served by ``python -m http.server`` in its own process on 127.0.0.1
(the generic HTTP adapter follows each page's ``next`` link; 3,321 communes are 7 pages,
about 3 MB).

Timed: what the queue's task runs — ``pull_start`` then ``pull_run``: every page fetched over
HTTP and kept (request, time, SHA-256, a stored copy), the records mapped to units and
indicators, the engine's validation of every unit's values, the 66,420 entries written with
their audit events, one provenance row per value, and every commune rescored — in one
transaction. Target ≤ 30 s. The time per step is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from web_import import Steps, bench_database, load, peak_rss_mb

TARGET_SECONDS = 30.0
PER_PAGE = 500


def framework_yaml(leaves: int) -> str:
    lines = [
        "code: bench-measured",
        "name: {vi: Bộ chỉ số đo tự động (benchmark)}",
        "years: [2025]",
        "sources: [{decision: synthetic}]",
        "status: reconstructed",
        f"scale: {{total: {leaves * 5}, report: raw, decimals: 2}}",
        "groups: [{code: xa, name: {vi: Xã}}]",
        "completion_levels: [{code: done, name: {vi: Xong}, min_percent: 90},"
        " {code: none, name: {vi: Chưa}, min_percent: 0}]",
        "bands: [{code: A, name: {vi: A}, min_percent: 80}, {code: B, name: {vi: B},"
        " min_percent: 50}, {code: C, name: {vi: C}, min_percent: 0}]",
        "tree:",
        '- code: "1"',
        "  name: {vi: Dịch vụ công}",
        f"  max: {leaves * 5}",
        "  children:",
    ]
    for i in range(1, leaves + 1):
        source = f"{{kind: measured, connector: bench, field: n{i}, denominator: d{i}}}"
        lines.append(
            f'  - {{code: "1.{i}", name: {{vi: c{i}}}, max: 5, rule: {{type: ratio}},'
            f" source: {source}}}"
        )
    return "\n".join(lines) + "\n"


def write_pages(folder: Path, base: str, units: int, leaves: int) -> int:
    """The source's pages as files; returns their total size."""
    size = 0
    pages = (units + PER_PAGE - 1) // PER_PAGE
    for p in range(1, pages + 1):
        items = []
        for u in range((p - 1) * PER_PAGE, min(p * PER_PAGE, units)):
            record: dict[str, object] = {"ma_xa": f"X{u:05d}", "ten": f"Xã {u:05d}"}
            for i in range(1, leaves + 1):
                total = 100 + (u * 7 + i * 13) % 900
                record[f"d{i}"] = total
                record[f"n{i}"] = (u * 31 + i * 17) % (total + 1)
            items.append(record)
        following = f"{base}/page{p + 1}.json" if p < pages else None
        body = json.dumps({"data": {"items": items, "next": following}}).encode()
        (folder / f"page{p}.json").write_bytes(body)
        size += len(body)
    return size


def setup_world(units: int, leaves: int) -> dict[str, object]:
    from django.contrib.auth.models import User
    from django.db import transaction

    from dti.web.accounts.models import Membership, Role
    from dti.web.assessments.models import Assessment, IndicatorEntry, Period, PeriodFramework
    from dti.web.frameworks.selectors import framework_parsed, leaves_for_group
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import Unit, UnitKind
    from dti.web.registry.services import group_ensure

    xa = group_ensure(code="xa", name="Xã", unit_kind=UnitKind.COMMUNE, order=0)
    version = framework_store(actor=None, yaml_text=framework_yaml(leaves), check_role=False)
    admin = User.objects.create(username="bench-admin", password="!")
    Membership.objects.create(user=admin, role=Role.ADMIN)
    now = dt.datetime.now(dt.UTC)
    codes = leaves_for_group(framework_parsed(version), "xa")
    with transaction.atomic():
        made = Unit.objects.bulk_create(
            Unit(code=f"xa-{u:05d}", name=f"Xã {u:05d}", kind=UnitKind.COMMUNE, group=xa)
            for u in range(units)
        )
        period = Period.objects.create(
            year=2025,
            name="Benchmark 2025",
            self_deadline=now + dt.timedelta(days=30),
            verification_deadline=now + dt.timedelta(days=60),
        )
        PeriodFramework.objects.create(period=period, group=xa, framework=version)
        assessments = Assessment.objects.bulk_create(
            Assessment(period=period, unit=u, framework=version) for u in made
        )
        IndicatorEntry.objects.bulk_create(
            (
                IndicatorEntry(assessment=a, indicator=leaf.code, position=i)
                for a in assessments
                for i, leaf in enumerate(codes)
            ),
            batch_size=10_000,
        )
    return {"admin": admin, "period": period}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3_321)
    parser.add_argument("--leaves", type=int, default=20)
    parser.add_argument("--db", default="dti_bench_connectors")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    print(f"start ({load()})")
    with bench_database(args.db, keep=args.keep), tempfile.TemporaryDirectory() as tmp:
        from dti.web.connectors import pulling, writing
        from dti.web.connectors.models import ConnectorKind, MeasuredValue
        from dti.web.connectors.services import ConnectorInput, connector_save, pull_start

        t = time.perf_counter()
        world = setup_world(args.units, args.leaves)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        size = write_pages(Path(tmp), base, args.units, args.leaves)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port),
                "--bind",
                "127.0.0.1",
                "--directory",
                tmp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        connector = connector_save(
            actor=world["admin"],  # type: ignore[arg-type]
            province=None,
            data=ConnectorInput(
                code="bench",
                name="Nguồn benchmark",
                kind=ConnectorKind.HTTP_JSON,
                url=f"{base}/page1.json",
                records="data.items",
                pagination="next",
                next_key="data.next",
                unit_key="ma_xa",
                unit_map={f"X{u:05d}": f"xa-{u:05d}" for u in range(args.units)},
            ),
        )
        _wait_for(f"{base}/page1.json")
        print(
            f"setup: {args.units:,} communes × {args.leaves} measured leaves, source "
            f"{size / 1e6:.1f} MB in {(args.units + PER_PAGE - 1) // PER_PAGE} pages, "
            f"{time.perf_counter() - t:.1f} s ({load()})"
        )
        steps = Steps()
        steps.wrap(pulling, "_fetch", "fetch")
        steps.wrap(pulling, "measured_frame", "map")
        steps.wrap(writing, "_payloads", "payloads stored")
        steps.wrap(writing, "score", "engine")
        steps.wrap(writing, "_entries_write", "entries + audit")
        steps.wrap(writing, "_provenance_write", "provenance")
        steps.wrap(writing, "_rescore", "rescore")
        try:
            t = time.perf_counter()
            pull = pulling.pull_run(
                pull_start(actor=world["admin"], connector=connector, period=world["period"]).pk  # type: ignore[arg-type]
            )
            seconds = time.perf_counter() - t
        finally:
            server.terminate()
            server.wait(timeout=10)
        stored = MeasuredValue.objects.filter(pull=pull).count()
        print(
            f"pull: {pull.state}, {pull.values:,} values ({stored:,} provenance rows), "
            f"{pull.changed:,} entries changed, {pull.units:,} units rescored, "
            f"{pull.payloads.count()} pages kept"
        )
        print(f"steps: {steps.report()}")
        met = pull.state == "done" and seconds <= TARGET_SECONDS
        print(
            f"pull of {args.units:,} × {args.leaves}: {seconds:.1f} s "
            f"(target ≤ {TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}); "
            f"peak RSS {peak_rss_mb():.0f} MB ({load()})"
        )
        if pull.state != "done":
            print(f"problems: {pull.problems[:5]}")
    return 1 if args.strict and not met else 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, timeout: float = 10) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


if __name__ == "__main__":
    raise SystemExit(main())
