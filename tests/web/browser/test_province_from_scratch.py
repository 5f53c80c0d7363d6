"""A province runs its cycle without a shell (issue #13): from an empty database and a first
admin made by the documented command, through pages only — a framework from its appendix
workbook, the groups, the units with lineage, the reporters in bulk (their e-mails arrive at
the test's SMTP server), a period opened, one unit's deadline extended — and a reporter who
follows the e-mailed link, sets a password and saves a value. Screenshots of every page."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.management import call_command
from tests.web.browser.test_cycle import login
from tests.web.conftest import FIXTURES, PASSWORD
from tests.web.smtp import Inbox

from dti.engine import load_framework
from dti.io.framework_workbook import write_framework_workbook
from dti.io.reporters_table import REPORTER_HEADERS

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "mat-khau-cua-hoa-2026"
PHONE = {"width": 390, "height": 844}


def _units_workbook(path: Path) -> Path:
    """Two departments merged on 1 July 2025 into a third, and one that goes on."""
    basis = "Nghị quyết 60-NQ/TW"
    units = [
        ("qt-so-tc", "Sở Tài chính (cũ)", None, dt.date(2025, 6, 30)),
        ("qt-so-khdt", "Sở Kế hoạch và Đầu tư", None, dt.date(2025, 6, 30)),
        ("qt-so-tc-moi", "Sở Tài chính", dt.date(2025, 7, 1), None),
        ("qt-so-gtvt", "Sở Giao thông vận tải", None, None),
    ]
    with xlsxwriter.Workbook(str(path)) as book:
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet = book.add_worksheet("Đơn vị")
        sheet.write_row(0, 0, ["unit", "name", "group", "valid_from", "valid_to", "basis"])
        for i, (code, name, first, last) in enumerate(units, start=1):
            sheet.write_row(i, 0, [code, name, "so"])
            for column, value in ((3, first), (4, last)):
                if value is not None:
                    sheet.write_datetime(i, column, dt.datetime.combine(value, dt.time()), day)
            sheet.write(i, 5, basis)
        lineage = book.add_worksheet("lineage")
        lineage.write_row(0, 0, ["date", "kind", "from", "to", "weight", "basis"])
        for i, source in enumerate(("qt-so-tc", "qt-so-khdt"), start=1):
            lineage.write_datetime(i, 0, dt.datetime(2025, 7, 1), day)
            lineage.write_row(i, 1, ["merge", source, "qt-so-tc-moi", 0.5, basis])
    return path


def _reporters_workbook(path: Path) -> Path:
    rows = [
        list(REPORTER_HEADERS.values()),
        ["qt-so-gtvt", "Lê Thị Hoa", "hoa.lt@quangtri.gov.vn", "0905111222"],
        ["qt-so-tc-moi", "Phạm Văn Minh", "minh.pv@quangtri.gov.vn", "0905333444"],
    ]
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("Cán bộ báo cáo")
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    return path


def test_a_province_runs_its_cycle_from_an_empty_database_through_pages(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    shot: Any,
    smtp: Inbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dti.web.assessments.models import Assessment, IndicatorEntry
    from dti.web.registry.models import Lineage, Unit

    # The documented command makes the first admin (the only step in a shell).
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    call_command(
        "dti_create_admin",
        "--province=quang-tri",
        "--province-name=Quảng Trị",
        "--username=admin-qt",
        "--email=admin@quangtri.gov.vn",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    base = live_server.url
    admin = login(browser, contexts, base, "admin-qt")
    shot(admin, "province-01-home")

    # A framework from the decision's appendix workbook.
    framework = write_framework_workbook(
        load_framework(FIXTURES / "mini.yaml"), tmp_path / "pl.xlsx"
    )
    admin.goto(f"{base}/frameworks/upload/")
    admin.set_input_files("input[name=file]", str(framework))
    admin.click("button.primary")
    admin.wait_for_url(re.compile(r"/frameworks/\d+/$"))
    shot(admin, "province-02-framework")

    # The province's group, then its units with their lineage.
    admin.goto(f"{base}/units/groups/")
    admin.select_option("select[name=code]", "so")
    admin.select_option("select[name=unit_kind]", "department")
    admin.click("button.primary")
    admin.wait_for_selector("td:has-text('so')")
    shot(admin, "province-03-groups")
    admin.goto(f"{base}/units/import/")
    admin.set_input_files("input[name=file]", str(_units_workbook(tmp_path / "don-vi.xlsx")))
    admin.click("button.primary")
    admin.wait_for_url(f"{base}/units/", timeout=30_000)
    shot(admin, "province-04-units")
    merged = Unit.objects.get(code="qt-so-tc-moi")
    assert set(merged.predecessors.values_list("code", flat=True)) == {"qt-so-tc", "qt-so-khdt"}
    assert Lineage.objects.count() == 2

    # The reporters of the units in bulk; their set-password e-mails arrive.
    admin.goto(f"{base}/users/reporters/")
    admin.set_input_files("input[name=file]", str(_reporters_workbook(tmp_path / "cb.xlsx")))
    admin.click("button[value=preview]")
    admin.check("input[name=confirm]")
    admin.click("button[value=confirm]")
    admin.wait_for_selector("text=Đã tạo 2 tài khoản cán bộ báo cáo")
    shot(admin, "province-05-reporters")
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "hoa.lt@quangtri.gov.vn",
        "minh.pv@quangtri.gov.vn",
    ]

    # A period, then one unit's deadline extended.
    admin.goto(f"{base}/periods/new/")
    admin.fill("input[name=year]", "2026")
    admin.fill("input[name=name]", "Đánh giá chuyển đổi số năm 2026")
    admin.fill("input[name=self_deadline]", "2099-03-31T17:00")
    admin.fill("input[name=verification_deadline]", "2099-05-31T17:00")
    admin.select_option("select[name=fw_quang-tri_so]", index=1)
    admin.click("button.primary")
    if admin.locator("input[name=confirm_left_out]").count():
        admin.check("input[name=confirm_left_out]")
        admin.click("button.primary")
    admin.wait_for_url(re.compile(r"/periods/\d+/$"))
    shot(admin, "province-06-period")
    assessments = Assessment.objects.filter(period__year=2026)
    assert sorted(a.unit.code for a in assessments) == ["qt-so-gtvt", "qt-so-tc-moi"]
    admin.goto(admin.url + "deadlines/")
    admin.select_option("select[name=unit]", str(Unit.objects.get(code="qt-so-gtvt").pk))
    admin.fill("input[name=deadline]", "2099-04-15T17:00")
    extension = admin.locator("form:has(select[name=unit])")
    extension.locator("textarea[name=reason]").fill(
        "Đơn vị đề nghị gia hạn do sáp nhập phòng chuyên môn"
    )
    extension.locator("button.primary").click()
    admin.wait_for_selector("td:has-text('Giao thông vận tải')")
    shot(admin, "province-07-deadline")
    extended = assessments.get(unit__code="qt-so-gtvt")
    assert extended.self_deadline_override is not None

    # The reporter follows the e-mailed link on a phone, sets a password and saves a value.
    # (her mail holds the set-password link, then the period's opening)
    links = [
        found
        for message in smtp.to("hoa.lt@quangtri.gov.vn")
        if (found := re.search(r"https?://\S+/accounts/password/reset/\S+/", message.get_content()))
    ]
    assert len(links) == 1
    link = links[0]
    phone = browser.new_context(viewport=PHONE, locale="vi-VN")
    contexts.append(phone)
    reporter = phone.new_page()
    reporter.goto(link.group(0))
    reporter.fill("input[name=new_password1]", NEW)
    reporter.fill("input[name=new_password2]", NEW)
    reporter.click("button.primary")
    reporter.click("main >> text=Đăng nhập")
    reporter.fill("input[name=username]", "hoa.lt@quangtri.gov.vn")
    reporter.fill("input[name=password]", NEW)
    reporter.click("button.primary")
    reporter.wait_for_url(f"{base}/")
    reporter.click('table a:has-text("Sở Giao thông vận tải")')
    reporter.wait_for_url(re.compile(r"/assessments/\d+/$"))
    reporter.locator('[id="e-1.1"] input[type=radio][value="1"]').check()
    reporter.locator(".savebar button[name=save]").click()
    reporter.locator(".savebar .dirty-count.ok", has_text="Đã lưu 1 chỉ số").wait_for()
    shot(reporter, "province-08-reporter-saved-390")
    saved = IndicatorEntry.objects.get(assessment=extended, indicator="1.1")
    assert saved.self_value == 1
