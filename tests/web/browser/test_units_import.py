"""A province's administrator imports a units workbook with lineage through the page (issue
#13), meets a located Vietnamese problem first, then merges two units through the merge page,
seeing the lineage before confirming."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from tests.web.browser.test_cycle import login
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

UNITS = [
    ("qn-tam-an", "Xã Tam An", "xa", None, dt.date(2025, 6, 30)),
    ("qn-tam-thanh", "Xã Tam Thành", "xa", None, dt.date(2025, 6, 30)),
    ("qn-tam-hoa", "Xã Tam Hòa", "xa", None, None),
    ("qn-tam-anh", "Xã Tam Anh", "xa", dt.date(2025, 7, 1), None),
]
LINEAGE = [
    ("merge", "qn-tam-an", "qn-tam-anh", 0.6),
    ("merge", "qn-tam-thanh", "qn-tam-anh", 0.4),
]


def _workbook(path: Path, group_of_first: str = "xa") -> Path:
    """A units workbook as an official makes it: dates typed into date cells."""
    with xlsxwriter.Workbook(str(path)) as book:
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        units = book.add_worksheet("Đơn vị")
        units.write_row(0, 0, ["unit", "name", "group", "valid_from", "valid_to", "basis"])
        for i, (code, name, group, first, last) in enumerate(UNITS, start=1):
            units.write_row(i, 0, [code, name, group_of_first if i == 1 else group])
            for column, value in ((3, first), (4, last)):
                if value is not None:
                    units.write_datetime(i, column, dt.datetime.combine(value, dt.time()), day)
            units.write(i, 5, "1656/NQ-UBTVQH15")
        lineage = book.add_worksheet("lineage")
        lineage.write_row(0, 0, ["date", "kind", "from", "to", "weight", "basis"])
        for i, (kind, src, dst, weight) in enumerate(LINEAGE, start=1):
            lineage.write_datetime(i, 0, dt.datetime(2025, 7, 1), day)
            lineage.write_row(i, 1, [kind, src, dst, weight, "1656/NQ-UBTVQH15"])
    return path


@pytest.fixture
def province_admin(db: None) -> Any:
    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, province_ensure

    province = province_ensure(code="quang-nam", name="Quảng Nam")
    for code, name, kind in (
        ("xa", "Xã, phường", UnitKind.COMMUNE),
        ("so", "Sở, ban, ngành", UnitKind.DEPARTMENT),
    ):
        group_ensure(code=code, name=name, unit_kind=kind, province=province)
    return user_create(
        actor=None,
        username="admin-qn",
        password=PASSWORD,
        role=Role.ADMIN,
        province=province,
        check_role=False,
    )


def test_province_admin_imports_units_with_lineage_then_merges_two(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    province_admin: Any,
    shot: Any,
    tmp_path: Path,
) -> None:
    from dti.web.registry.models import Lineage, Unit

    base = live_server.url
    page = login(browser, contexts, base, "admin-qn")
    page.goto(f"{base}/units/import/")
    assert page.locator("select[name=province] option:checked").inner_text() == "Quảng Nam"
    page.set_input_files("input[name=file]", str(_workbook(tmp_path / "sai.xlsx", "co_tthc")))
    page.click("button.primary")
    page.wait_for_selector("ul.problems")
    text = page.inner_text("ul.problems")
    assert "trang tính Đơn vị, dòng 2, cột group: không có nhóm 'co_tthc'" in text, text
    assert "(các nhóm của Quảng Nam: so, xa)" in text
    shot(page, "units-01-import-unknown-group")
    assert not Unit.objects.exists()

    page.set_input_files("input[name=file]", str(_workbook(tmp_path / "don-vi.xlsx")))
    page.click("button.primary")
    page.wait_for_url(f"{base}/units/", timeout=30_000)
    assert "Đã nhập 4 đơn vị." in page.content()
    shot(page, "units-02-imported")
    merged = Unit.objects.get(code="qn-tam-anh")
    assert set(merged.predecessors.values_list("code", flat=True)) == {"qn-tam-an", "qn-tam-thanh"}
    assert Lineage.objects.get(predecessor__code="qn-tam-an").weight == 0.6

    page.click("text=Xã Tam Anh")
    page.wait_for_selector("section.family")
    assert "Xã Tam Thành" in page.inner_text("section.family")
    shot(page, "units-03-family-tree")

    page.click("text=Sáp nhập với đơn vị khác")
    page.select_option("select[name=others]", label="Xã Tam Hòa")
    page.fill("input[name=code]", "qn-tam-phu")
    page.fill("input[name=name]", "Xã Tam Phú")
    page.fill("input[name=date]", "2026-01-01")
    page.fill("input[name=basis]", "Nghị quyết 12/NQ-HĐND")
    page.click("button[name=preview]")
    page.wait_for_selector("section.preview")
    preview = page.inner_text("section.preview")
    assert "qn-tam-hoa — Xã Tam Hòa" in preview and "qn-tam-phu — Xã Tam Phú" in preview
    assert "Chưa có gì được lưu." in preview
    shot(page, "units-04-merge-preview")
    assert not Unit.objects.filter(code="qn-tam-phu").exists()
    page.click("button[name=confirm]")
    page.wait_for_selector("text=Đã lưu; thay đổi đã được ghi vào nhật ký kiểm toán.")
    shot(page, "units-05-merged")
    phu = Unit.objects.get(code="qn-tam-phu")
    assert set(phu.predecessors.values_list("code", flat=True)) == {"qn-tam-anh", "qn-tam-hoa"}


def test_the_progress_page_shows_the_step_and_the_bar(
    browser: Any, live_server: Any, contexts: list[Any], province_admin: Any, shot: Any
) -> None:
    """A long import (the whole country's takes a minute) is followed on its page; the test
    puts a running job where the import's thread keeps it."""
    from dti.web.registry.services.units_import_jobs import UnitsImportJob, _save

    job = UnitsImportJob(
        id="ca-nuoc", user_id=province_admin.pk, step="Đang ghi phả hệ", done=16_146, total=24_562
    )
    _save(job)
    base = live_server.url
    page = login(browser, contexts, base, "admin-qn")
    page.goto(f"{base}/units/import/ca-nuoc/")
    assert page.locator("progress").get_attribute("value") == "66"
    assert "Đang ghi phả hệ" in page.inner_text("section.card")
    shot(page, "units-06-import-progress")
    job.state, job.step, job.units = "done", "Hoàn tất", 14_146
    _save(job)
    page.wait_for_url(f"{base}/units/", timeout=10_000)  # the page refreshes by itself
    assert "Đã nhập 14.146 đơn vị." in page.content()
    for thread in threading.enumerate():
        if thread.name.startswith("units-import-"):
            thread.join(10)
