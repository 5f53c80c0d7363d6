"""The demo loads the seed datasets as published, through the ordinary services, and the 2025
reorganisation with derived history. Each test loads only what it needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from dti.web.assessments.models import Assessment, Period, Status
from dti.web.assessments.quality import assessment_quality
from dti.web.assessments.selectors import period_results
from dti.web.demo import DEMO_ACCOUNTS, Dataset, dataset_load, reorg_dataset, seed_dataset
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


def test_quang_nam_2022_as_published_and_its_2025_reorganisation(db: None) -> None:
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

    _quiet(reorg_dataset(today=dt.datetime(2026, 1, 15, tzinfo=dt.UTC)))
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
