"""The admin imports many units' values in a real browser and watches the progress page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tests.web.browser.test_cycle import login
from tests.web.conftest import FIXTURES, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def period(db: None) -> Any:
    from django.utils import timezone

    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.assessments.services import period_open
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, unit_create

    so = group_ensure(code="so", name="Sở, ban, ngành", unit_kind=UnitKind.DEPARTMENT, order=0)
    version = framework_store(
        actor=None, yaml_text=(FIXTURES / "mini.yaml").read_text(), check_role=False
    )
    for code, name in (("so-gtvt", "Sở Giao thông vận tải"), ("so-xd", "Sở Xây dựng")):
        unit_create(actor=None, code=code, name=name, group=so, check_role=False)
    admin = user_create(
        actor=None, username="admin", password=PASSWORD, role=Role.ADMIN, check_role=False
    )
    now = timezone.now()
    return period_open(
        actor=admin,
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=now + dt.timedelta(days=30),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks={so: version},
    )


def test_admin_imports_values_and_sees_the_import_finish(
    browser: Any, live_server: Any, contexts: list[Any], period: Any, shot: Any, tmp_path: Path
) -> None:
    from dti.web.assessments.models import IndicatorEntry

    table = tmp_path / "dvc-truc-tuyen.csv"
    table.write_text(
        "unit,period,indicator,value,denominator,applicable\n"
        "so-gtvt,2024,2.1,539,1800,\n"
        "so-xd,2024,2.1,0.85,,\n"
        "so-xd,2024,1.1,1,,\n",
        encoding="utf-8",
    )
    base = live_server.url
    admin = login(browser, contexts, base, "admin")
    admin.goto(f"{base}/periods/{period.pk}/")
    admin.click("text=Nhập số liệu")
    admin.set_input_files("input[type=file]", str(table))
    admin.click("button.primary")
    admin.wait_for_selector('#import-state[data-state="done"]', timeout=30_000)
    assert "3 giá trị thay đổi ở 2 đơn vị" in admin.content()
    shot(admin, "11-values-import-done")
    stored = IndicatorEntry.objects.get(assessment__unit__code="so-gtvt", indicator="2.1")
    assert (stored.self_value, stored.self_denominator) == (539, 1800)
    admin.click("text=Quay lại kỳ đánh giá")
    admin.wait_for_url(f"{base}/periods/{period.pk}/")
    assert "Sở Xây dựng" in admin.content()
