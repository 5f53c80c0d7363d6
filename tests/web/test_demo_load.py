"""The demo loads the seed datasets as published, through the ordinary services, and the 2025
reorganisation with derived history, measured partly by connectors reading the demo's local
source (served on a free port of 127.0.0.1). Each test loads only what it needs."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import replace
from pathlib import Path

import httpx

from dti.web.assessments.models import Assessment, Period, Status
from dti.web.assessments.quality import assessment_quality
from dti.web.assessments.selectors import period_results
from dti.web.audit.models import AuditEvent
from dti.web.connectors.models import Connector, MeasuredValue, PullState
from dti.web.demo import DEMO_ACCOUNTS, Dataset, dataset_load, reorg_dataset, seed_dataset
from dti.web.demo.scenario import MEASURED_UNITS
from dti.web.demo.source import FEED_CSV, FEED_JSON, PORTAL, DemoSource, figures, portal_id, serving
from dti.web.registry.models import Unit
from dti.web.registry.selectors import unit_history
from dti.web.snapshots.models import ContinuousPlan, SnapshotResult

STAFF = Dataset(
    groups=[],
    units=[],
    periods=[],
    accounts=[a for a in DEMO_ACCOUNTS if a[0] in ("admin", "thamtra")],
)


def _quiet(dataset: Dataset) -> None:
    dataset_load(dataset, log=lambda _: None)


def test_lao_cai_city_leads_with_760_39(db: None) -> None:
    seed = seed_dataset("lao-cai-2023")
    districts = [u for u in seed.units if u.group == "huyen"]
    period = next(p for p in seed.periods if p.year == 2023)
    codes = [u.code for u in districts]
    period = replace(period, units=codes, values={c: period.values[c] for c in codes})
    _quiet(STAFF)
    _quiet(
        replace(
            seed,
            units=districts,
            periods=[period],
            groups=[g for g in seed.groups if g.code == "huyen"],
        )
    )
    rows = period_results(Period.objects.get(province__code="lao-cai", year=2023))["huyen"]
    first = rows[0]
    assert (first.assessment.unit.code, first.rank, round(first.score, 2), first.band) == (
        "LC-TPLAOCAI",
        1,
        760.39,
        "Mức dẫn dắt",
    )


def test_quang_nam_2022_as_published_and_its_2025_reorganisation(db: None, tmp_path: Path) -> None:
    _quiet(STAFF)
    _quiet(seed_dataset("quang-nam-2022"))
    period = Period.objects.get(province__code="quang-nam", year=2022)
    results = period_results(period, statuses=frozenset({Status.PUBLISHED}))
    so, huyen = results["so"], results["huyen"]
    assert (so[0].assessment.unit.name, so[0].score) == ("Sở Giao thông vận tải", 976.0)
    assert (huyen[2].assessment.unit.code, huyen[2].rank, huyen[2].score) == (
        "QN-NUITHANH",
        3,
        943.0,
    )
    assert len(so) == 20 and len(huyen) == 18
    # Idempotent: loading again adds nothing.
    _quiet(seed_dataset("quang-nam-2022"))
    assert Period.objects.filter(province__code="quang-nam").count() == 1

    drop = tmp_path / "drop"
    with serving(DemoSource(MEASURED_UNITS)) as url:
        _quiet(
            reorg_dataset(
                today=dt.datetime(2026, 1, 15, tzinfo=dt.UTC), source_url=url, drop_folder=drop
            )
        )
    nui_thanh = Unit.objects.get(code="QN25-XA-NUI-THANH")
    assert nui_thanh.valid_from == dt.date(2025, 7, 1)
    assert Unit.objects.get(code="QN-NUITHANH").valid_to == dt.date(2025, 6, 30)
    assert nui_thanh.predecessors.count() == 3
    history = unit_history(nui_thanh)
    by_year = {h.year: h for h in history}
    assert by_year[2024].derived and not by_year[2025].derived
    p2025 = Period.objects.get(province__code="quang-nam", year=2025)
    assert set(p2025.frameworks.values_list("framework__code", flat=True)) == {
        "dti-cap-xa-tay-ninh-2025",
        "dti-so-nganh-2025",
    }
    # A merged department carries a derived 2022 value from Sở GTVT (976) and Sở Xây dựng.
    sxd = {h.year: h for h in unit_history(Unit.objects.get(code="QN25-SXD"))}
    score = sxd[2022].score
    assert sxd[2022].derived and score is not None and 900 < score < 976
    # Measured continuously: monthly snapshots as the units' data grew, the last one on the
    # first of the month, and the demo's data-quality check warning Sở Xây dựng's reporter.
    plan = ContinuousPlan.objects.get(period=p2025)
    assert plan.active and plan.rhythm == "monthly"
    days = list(p2025.snapshots.values_list("as_of", flat=True))
    assert days == [
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    ]
    scores = list(
        SnapshotResult.objects.filter(snapshot__period=p2025, unit__code="QN25-SXD")
        .order_by("snapshot__as_of")
        .values_list("score", flat=True)
    )
    assert scores == sorted(scores) and scores[0] < scores[-1]
    last = SnapshotResult.objects.get(snapshot__as_of=dt.date(2026, 1, 1), unit__code="QN25-SXD")
    assert [(w["indicator"], w["code"]) for w in last.warnings] == [("3.1", "quality_below_range")]
    sxd_2025 = Assessment.objects.get(period=p2025, unit__code="QN25-SXD")
    assert [w.indicator for w in assessment_quality(sxd_2025)] == ["3.1"]
    _measured_by_three_connectors(p2025, url, drop)


def _measured_by_three_connectors(p2025: Period, url: str, drop: Path) -> None:
    """One connector per kind of adapter, each pulled once: the departments' four measured
    leaves carry the source's figures with their provenance, and Sở Xây dựng's share of online
    dossiers, typed before it was measured, is flagged against the portal's count."""
    connectors = {c.code: c for c in Connector.objects.filter(province__code="quang-nam")}
    assert {code: c.kind for code, c in connectors.items()} == {
        "dvc": "portal",
        "mot-cua": "http_json",
        "hop-truc-tuyen": "file_drop",
    }
    departments = [code for code, _ in MEASURED_UNITS]
    for code, leaves in (("dvc", 2), ("mot-cua", 1), ("hop-truc-tuyen", 1)):
        pull = connectors[code].pulls.get()
        assert pull.state == PullState.DONE, pull.problems
        assert (pull.units, pull.values) == (len(departments), leaves * len(departments))
    assert p2025.frameworks.get(group__code="co_tthc").framework.version.endswith("(minh họa)")
    assert AuditEvent.objects.filter(action="framework_correct").count() == 1
    # The figures are the source's, in every department's entry, with where they came from.
    f = figures("QN25-SCT")
    expected = {
        "4.4": (f.meetings_online, f.meetings),
        "5.1": (f.fully_online, f.procedures),
        "5.2": (f.online, f.dossiers),
        "5.5": (f.on_time, f.settled),
    }
    for leaf, (value, denominator) in expected.items():
        measured = MeasuredValue.objects.select_related("entry", "payload", "pull__connector").get(
            entry__assessment__period=p2025,
            entry__assessment__unit__code="QN25-SCT",
            entry__indicator=leaf,
        )
        assert (measured.entry.self_value, measured.entry.self_denominator) == (value, denominator)
        assert (measured.value, measured.denominator) == (value, denominator)
        with measured.payload.file.open("rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == measured.payload.sha256
    portal = MeasuredValue.objects.select_related("payload").get(
        entry__assessment__unit__code="QN25-SCT", entry__indicator="5.2"
    )
    position = departments.index("QN25-SCT") + 1
    assert portal.source_unit == portal_id(position)
    assert portal.payload.request == f"GET {url}{PORTAL}?ky=2025&trang={(position - 1) // 5 + 1}"
    dropped = MeasuredValue.objects.select_related("payload").get(
        entry__assessment__unit__code="QN25-SCT", entry__indicator="4.4"
    )
    assert dropped.payload.request == "FILE hop-truc-tuyen.csv"
    with dropped.payload.file.open("rb") as stored:
        assert stored.read() == (drop / "hop-truc-tuyen.csv").read_bytes()
    # Exactly one declared value contradicted its measurement: Sở Xây dựng's, kept beside it.
    flagged = MeasuredValue.objects.get(entry__assessment__period=p2025, conflict=True)
    sxd = figures("QN25-SXD")
    assert (flagged.entry.assessment.unit.code, flagged.entry.indicator) == ("QN25-SXD", "5.2")
    assert flagged.value == sxd.online and flagged.declared_value is not None
    assert flagged.declared_value > flagged.value
    assert connectors["dvc"].pulls.get().conflicts == 1


def test_the_demo_source_serves_the_portal_the_feed_and_the_dropped_table(tmp_path: Path) -> None:
    units = MEASURED_UNITS[:7]
    source = DemoSource(units)
    with serving(source) as url:
        page = httpx.get(f"{url}{PORTAL}", params={"ky": "2025", "trang": "2"}).json()
        feed = httpx.get(f"{url}{FEED_JSON}", params={"page": "1"}).json()
        answer = httpx.get(f"{url}{FEED_CSV}")
        missing = httpx.get(f"{url}/khong-co")
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.headers["content-type"].startswith("text/csv") and missing.status_code == 404
    assert (page["ky_bao_cao"], page["tong_so_trang"], page["tong_so_ban_ghi"]) == ("2025", 2, 7)
    sixth = page["du_lieu"][0]
    code, name = units[5]
    assert (sixth["ma_don_vi"], sixth["ten_don_vi"]) == (portal_id(6), name)
    assert sixth["ho_so_truc_tuyen"] == figures(code).online <= sixth["tong_ho_so"]
    assert len(page["du_lieu"]) == 2 and len(feed["data"]["items"]) == 5
    assert feed["meta"] == {"page": 1, "pages": 2, "total": 7}
    assert [r["maDonVi"] for r in table] == [c for c, _ in units]
    assert int(table[0]["hoSoDungHan"]) == figures(units[0][0]).on_time
    # Deterministic: the same figures at every start.
    assert DemoSource(units).portal_page("2025", 1) == source.portal_page("2025", 1)
    from dti.web.demo.source import drop_write

    dropped = drop_write(source, tmp_path / "drop").read_text("utf-8").splitlines()
    assert dropped[0] == "don_vi,ten_don_vi,cuoc_hop_truc_tuyen,tong_cuoc_hop"
    assert len(dropped) == 8 and not list((tmp_path / "drop").glob(".*"))


def test_the_demo_has_two_admins_of_two_provinces_each_seeing_its_own(db: None) -> None:
    """Quảng Nam's admin and Lào Cai's: each account of the province its data belong to; the
    Lào Cai admin follows Lào Cai's period, Quảng Nam's does not see it."""
    from django.test import Client
    from django.urls import reverse

    from dti.web.accounts.models import Membership, Role
    from dti.web.demo import DEMO_PROVINCE_ACCOUNTS, demo_datasets

    staff = [d for d in demo_datasets() if not d.periods and not d.units]
    for dataset in staff:
        _quiet(dataset)
    admins = {
        m.user.username: m.province.code
        for m in Membership.objects.filter(role=Role.ADMIN).select_related("user", "province")
    }
    assert admins == {"admin": "quang-nam", "admin-laocai": "lao-cai"}
    listed = {a[0]: code for (code, _), accounts in DEMO_PROVINCE_ACCOUNTS for a in accounts}
    for membership in Membership.objects.filter(user__username__in=listed):
        assert membership.province.code == listed[membership.user.username]
    # Where a province has no demo verifier, its replay's is a service account of the province.
    service = Membership.objects.get(user__username="demo-verifier-lao-cai")
    assert service.province.code == "lao-cai" and not service.user.has_usable_password()
    seed = seed_dataset("lao-cai-2023")
    districts = [u for u in seed.units if u.group == "huyen"][:3]
    period = next(p for p in seed.periods if p.year == 2023)
    codes = [u.code for u in districts]
    period = replace(period, units=codes, values={c: period.values[c] for c in codes})
    _quiet(
        replace(
            seed,
            units=districts,
            periods=[period],
            groups=[g for g in seed.groups if g.code == "huyen"],
        )
    )
    lao_cai = Period.objects.get(province__code="lao-cai", year=2023)
    for username, status in (("admin-laocai", 200), ("admin", 404)):
        client = Client()
        client.force_login(Membership.objects.get(user__username=username).user)
        assert client.get(reverse("period_detail", args=[lao_cai.pk])).status_code == status
