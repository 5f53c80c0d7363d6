"""The admin creates the reporters of the province's units from a workbook in a real browser;
the set-password e-mails arrive at the test's SMTP server; a reporter follows the link, sets
a password, signs in and opens the own unit's assessment. Desktop and 390 px screenshots."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from tests.web.browser.test_cycle import login
from tests.web.conftest import FIXTURES, PASSWORD
from tests.web.smtp import Inbox

from dti.io.reporters_table import REPORTER_HEADERS

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "mat-khau-cua-hoa-2026"
PHONE = {"width": 390, "height": 844}


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
    for code, name in (
        ("so-gtvt", "Sở Giao thông vận tải"),
        ("so-xd", "Sở Xây dựng"),
        ("so-yt", "Sở Y tế"),
    ):
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


def reporters_workbook(path: Path) -> None:
    rows = [
        list(REPORTER_HEADERS.values()),
        ["so-gtvt", "Lê Thị Hoa", "hoa.lt@quangnam.gov.vn", "0905111222"],
        ["so-xd", "Phạm Văn Minh", "minh.pv@quangnam.gov.vn", "0905333444"],
        ["so-yt", "Lê Thị Hoa", "hoa.lt@quangnam.gov.vn", "0905111222"],
    ]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("Cán bộ báo cáo")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    path.write_bytes(out.getvalue())


def test_admin_creates_reporters_in_bulk_and_a_reporter_sets_a_password(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    period: Any,
    shot: Any,
    smtp: Inbox,
    tmp_path: Path,
) -> None:
    from dti.web.accounts.models import Membership

    base = live_server.url
    admin = login(browser, contexts, base, "admin")
    admin.click("header nav >> text=Tài khoản")
    admin.wait_for_selector("h1:has-text('Tài khoản')")
    admin.click("text=Tạo cán bộ báo cáo từ tệp Excel")
    with admin.expect_download() as download:
        admin.click("text=Tải biểu mẫu")
    assert download.value.suggested_filename == "mau-can-bo-bao-cao.xlsx"

    workbook = tmp_path / "can-bo.xlsx"
    reporters_workbook(workbook)
    admin.set_input_files("input[name=file]", str(workbook))
    admin.click("button[value=preview]")
    admin.wait_for_selector("text=Sẽ tạo 2 tài khoản")
    assert admin.locator("table.planned tbody tr").count() == 2
    shot(admin, "accounts-01-bulk-preview")
    admin.check("input[name=confirm]")
    admin.click("button[value=confirm]")
    admin.wait_for_selector("text=Đã tạo 2 tài khoản cán bộ báo cáo")
    shot(admin, "accounts-02-list")
    hoa = Membership.objects.get(user__username="hoa.lt@quangnam.gov.vn")
    assert sorted(u.code for u in hoa.units.all()) == ["so-gtvt", "so-yt"]

    # The mail arrived at the SMTP server; the reporter follows the link on a phone.
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "hoa.lt@quangnam.gov.vn",
        "minh.pv@quangnam.gov.vn",
    ]
    (message,) = smtp.to("hoa.lt@quangnam.gov.vn")
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.get_content())
    assert link is not None
    phone = browser.new_context(viewport=PHONE, locale="vi-VN")
    contexts.append(phone)
    reporter = phone.new_page()
    reporter.goto(link.group(0))
    reporter.wait_for_selector("input[name=new_password1]")
    shot(reporter, "accounts-03-set-password-390")
    reporter.fill("input[name=new_password1]", NEW)
    reporter.fill("input[name=new_password2]", NEW)
    reporter.click("button.primary")
    reporter.click("main >> text=Đăng nhập")
    reporter.fill("input[name=username]", "hoa.lt@quangnam.gov.vn")
    reporter.fill("input[name=password]", NEW)
    reporter.click("button.primary")
    reporter.wait_for_url(f"{base}/")
    assert "Sở Xây dựng" not in reporter.content()
    reporter.click('table a:has-text("Sở Giao thông vận tải")')
    reporter.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assert reporter.locator("h1", has_text="Sở Giao thông vận tải").count() >= 1
    shot(reporter, "accounts-04-own-unit-390")

    # The same pages at 390 px for the admin: nothing wider than the screen.
    small = browser.new_context(viewport=PHONE, locale="vi-VN")
    contexts.append(small)
    mobile = small.new_page()
    mobile.goto(f"{base}/accounts/login/")
    mobile.fill("input[name=username]", "admin")
    mobile.fill("input[name=password]", PASSWORD)
    mobile.click("button.primary")
    mobile.wait_for_url(f"{base}/")
    mobile.goto(f"{base}/users/")
    shot(mobile, "accounts-05-list-390")
    mobile.click("text=hoa.lt@quangnam.gov.vn")
    mobile.wait_for_selector("text=Khóa tài khoản")
    shot(mobile, "accounts-06-edit-390")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    mobile.goto(f"{base}/users/reporters/")
    mobile.set_input_files("input[name=file]", str(workbook))
    mobile.click("button[value=preview]")
    # The same workbook again: every row is refused now (the e-mails have accounts).
    mobile.wait_for_selector("text=3 dòng bị từ chối")
    shot(mobile, "accounts-07-bulk-refused-390")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
