"""The reporters of many units from a workbook (issue #13): the template, the preview with
every refused row located and explained in Vietnamese, the confirmation (all or nothing), and
the set-password e-mails read back from a real SMTP server and followed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import xlsxwriter
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.web.smtp import Inbox

from dti.io.reporters_table import REPORTER_HEADERS, read_reporters
from dti.web.accounts.models import Membership
from dti.web.audit.models import AuditEvent

NEW = "mat-khau-rieng-2026"
HEADERS = list(REPORTER_HEADERS.values())


def workbook(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("Danh sách")
    for r, row in enumerate([headers, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def admin_client(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["users"]["admin"])
    return client


def upload(client: Client, content: bytes, name: str = "can-bo.xlsx") -> Any:
    return client.post(
        reverse("reporters_bulk"),
        {"action": "preview", "file": SimpleUploadedFile(name, content)},
    )


GOOD = [
    ["so-a", "Lê Thị Hoa", "hoa.lt@quangnam.gov.vn", "0905111222"],
    ["so-b", "Phạm Văn Minh", "minh.pv@quangnam.gov.vn", ""],
    # The same person for a second unit: one account reporting for both.
    ["huyen-c", "Lê Thị Hoa", "HOA.LT@quangnam.gov.vn", "0905111222"],
]


def test_the_template_has_the_vietnamese_headers_and_reads_back_empty(
    world: dict[str, Any], tmp_path: Path
) -> None:
    response = admin_client(world).get(reverse("reporters_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "mau.xlsx"
    path.write_bytes(response.content)
    assert read_reporters(path) == []
    from openpyxl import load_workbook

    headers = [c.value for c in next(load_workbook(path).active.iter_rows(max_row=1))]
    assert headers == ["Mã đơn vị", "Họ và tên", "Thư điện tử", "Số điện thoại"]


def test_refused_rows_are_located_and_explained_and_nothing_is_created(
    world: dict[str, Any], other_province: dict[str, Any], smtp: Inbox
) -> None:
    User.objects.filter(username="outsider").update(email="da.co@quangnam.gov.vn")
    rows = [
        ["so-a", "Lê Thị Hoa", "hoa.lt@quangnam.gov.vn", ""],  # row 2: fine
        ["so-z", "Không Có", "khong.co@quangnam.gov.vn", ""],  # 3: unknown unit
        ["dn-so-tttt", "Đà Nẵng", "dn@danang.gov.vn", ""],  # 4: another province's unit
        ["so-b", "Đã Có", "da.co@quangnam.gov.vn", ""],  # 5: e-mail of an existing account
        ["so-b", "Sai Thư", "sai-thu@", ""],  # 6: not an e-mail
        ["huyen-c", "Người Khác", "hoa.lt@quangnam.gov.vn", ""],  # 7: same e-mail, other person
    ]
    client = admin_client(world)
    page = upload(client, workbook(rows))
    plan = page.context["plan"]
    assert [(r.sheet, r.row, r.column) for r in plan.refused] == [
        ("Danh sách", 3, "A"),
        ("Danh sách", 4, "A"),
        ("Danh sách", 5, "C"),
        ("Danh sách", 6, "C"),
        ("Danh sách", 7, "C"),
    ]
    reasons = [r.reason for r in plan.refused]
    assert reasons == [
        "Không có đơn vị mã so-z.",
        "Đơn vị dn-so-tttt thuộc tỉnh khác.",
        "Địa chỉ thư điện tử da.co@quangnam.gov.vn đã thuộc về một tài khoản khác.",
        "sai-thu@ không phải là địa chỉ thư điện tử hợp lệ.",
        "Địa chỉ thư điện tử hoa.lt@quangnam.gov.vn đã có ở dòng 2 cho một người khác.",
    ]
    html = page.content.decode()
    assert "5 dòng bị từ chối" in html and 'value="confirm"' not in html
    # Confirming anyway (a forged post) creates nothing either.
    forced = client.post(reverse("reporters_bulk"), {"action": "confirm", "confirm": "on"})
    assert "Chưa tạo tài khoản nào: 5 dòng bị từ chối." in forced.content.decode()
    assert not User.objects.filter(email="hoa.lt@quangnam.gov.vn").exists()
    assert smtp.messages == []


def test_a_workbook_without_the_columns_is_refused_with_its_location(
    world: dict[str, Any],
) -> None:
    page = upload(admin_client(world), workbook([["so-a", "x"]], headers=["Mã đơn vị", "Tên"]))
    problems = page.context["problems"]
    assert any("Họ và tên" in p and "row 1" in p for p in problems), problems
    assert page.context["plan"] is None


def test_confirmed_reporters_are_created_and_each_follows_the_e_mailed_link(
    world: dict[str, Any], smtp: Inbox
) -> None:
    client = admin_client(world)
    preview = upload(client, workbook(GOOD))
    plan = preview.context["plan"]
    assert plan.ok and [a.email for a in plan.accounts] == [
        "hoa.lt@quangnam.gov.vn",
        "minh.pv@quangnam.gov.vn",
    ]
    assert "Sẽ tạo 2 tài khoản" in preview.content.decode()
    unconfirmed = client.post(reverse("reporters_bulk"), {"action": "confirm"})
    assert unconfirmed.status_code == 200 and smtp.messages == []
    done = client.post(
        reverse("reporters_bulk"), {"action": "confirm", "confirm": "on", "reason": "Năm 2024"}
    )
    assert done.status_code == 302
    hoa = Membership.objects.get(user__username="hoa.lt@quangnam.gov.vn")
    units = world["units"]
    assert hoa.unit_ids == {units["a"].pk, units["c"].pk} and hoa.phone == "0905111222"
    assert hoa.user.get_full_name() == "Lê Thị Hoa" and not hoa.user.has_usable_password()
    events = AuditEvent.objects.filter(action="user_create", reason="Năm 2024")
    assert {e.actor_name for e in events} == {"admin"} and events.count() == 2
    assert len(smtp.messages) == 2
    (message,) = smtp.to("hoa.lt@quangnam.gov.vn")
    body = message.get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link is not None, body
    reporter = Client()
    form = reporter.get(link.group(1), follow=True)
    assert form.context["validlink"]
    reporter.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    signed_in = reporter.post(
        reverse("login"), {"username": "hoa.lt@quangnam.gov.vn", "password": NEW}, follow=True
    )
    # A password chosen through the link is the user's own: no forced change, the home page
    # lists the own units' assessments.
    assert signed_in.redirect_chain[-1][0] == reverse("home")
    home = signed_in.content.decode()
    assert "Sở Giao thông vận tải" in home and "Huyện Núi Thành" in home
    assert "Sở Xây dựng" not in home


def test_a_mail_server_that_refuses_leaves_no_account(world: dict[str, Any], settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client = admin_client(world)
    upload(client, workbook(GOOD))
    page = client.post(reverse("reporters_bulk"), {"action": "confirm", "confirm": "on"})
    assert "không nhận thư" in page.content.decode()
    assert not User.objects.filter(email__iendswith="@quangnam.gov.vn").exists()


def test_a_csv_with_english_headers_is_read_too(world: dict[str, Any]) -> None:
    text = "unit,full name,email,phone\nso-a,Lê Thị Hoa,hoa.lt@quangnam.gov.vn,\n"
    page = upload(admin_client(world), text.encode(), name="can-bo.csv")
    plan = page.context["plan"]
    assert plan.ok and plan.accounts[0].full_name == "Lê Thị Hoa"


def test_a_file_that_is_not_a_workbook_is_refused(world: dict[str, Any]) -> None:
    page = upload(admin_client(world), b"MZ\x90\x00 not a workbook", name="can-bo.xlsx")
    assert page.context["plan"] is None and page.context["problems"]
    assert page.context["problems"][0] == "Không đọc được tệp."


def test_a_workbook_over_the_size_limit_is_refused_unread(
    world: dict[str, Any], settings: Any
) -> None:
    settings.DTI_WORKBOOK_MAX_BYTES = 1_000
    page = upload(admin_client(world), workbook(GOOD * 40))
    assert page.context["problems"] == ["Tệp Excel quá lớn."]
    assert page.context["plan"] is None
