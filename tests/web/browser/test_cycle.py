"""The whole yearly cycle in a real browser, one role after another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.web.browser.conftest import click_in_form, wait_for_text
from tests.web.conftest import FIXTURES, PASSWORD

from dti.io.template import write_template

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(db: None) -> dict[str, Any]:
    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, unit_create

    so = group_ensure(code="so", name="Sở, ban, ngành", unit_kind=UnitKind.DEPARTMENT, order=0)
    huyen = group_ensure(code="huyen", name="UBND cấp huyện", unit_kind=UnitKind.DISTRICT, order=1)
    version = framework_store(
        actor=None, yaml_text=(FIXTURES / "mini.yaml").read_text(), check_role=False
    )
    a = unit_create(
        actor=None, code="so-gtvt", name="Sở Giao thông vận tải", group=so, check_role=False
    )
    unit_create(actor=None, code="so-xd", name="Sở Xây dựng", group=so, check_role=False)
    unit_create(actor=None, code="nui-thanh", name="Huyện Núi Thành", group=huyen, check_role=False)
    for username, role, unit in (
        ("admin", Role.ADMIN, None),
        ("reporter", Role.REPORTER, a),
        ("verifier", Role.VERIFIER, None),
        ("leader", Role.LEADER, None),
    ):
        user_create(
            actor=None, username=username, password=PASSWORD, role=role, unit=unit, check_role=False
        )
    return {"framework": version}


def login(browser: Any, contexts: list[Any], base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="vi-VN")
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    # (a leader lands on the newest period's dashboard, everyone else on the home page)
    page.wait_for_url(lambda url: url == f"{base}/" or url.endswith("/dashboard/"))
    return page


def leaf(page: Any, code: str) -> Any:
    return page.locator(f'[id="e-{code}"]')


def test_open_fill_submit_verify_approve_publish(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    province: dict[str, Any],
    shot: Any,
    tmp_path: Path,
) -> None:
    from dti.web.assessments.models import Assessment
    from dti.web.frameworks.selectors import framework_parsed

    base = live_server.url

    # The admin opens the 2024 period.
    admin = login(browser, contexts, base, "admin")
    admin.click("text=Bộ chỉ số")
    admin.click("text=test-mini")
    assert admin.locator("text=Tỷ lệ máy tính").is_visible()
    shot(admin, "02-framework-tree")
    admin.goto(f"{base}/periods/new/")
    admin.fill("input[name=year]", "2024")
    admin.fill("input[name=name]", "Đánh giá chuyển đổi số năm 2024")
    admin.fill("input[name=self_deadline]", "2099-03-31T17:00")
    admin.fill("input[name=verification_deadline]", "2099-05-31T17:00")
    admin.select_option("select[name=fw_so]", index=1)
    admin.select_option("select[name=fw_huyen]", index=1)
    shot(admin, "03-open-period")
    admin.click("button.primary")
    admin.wait_for_selector("text=Đã mở kỳ")
    assessment = Assessment.objects.get(unit__code="so-gtvt")

    # The reporter fills in one indicator on the page (live score), uploads the workbook
    # for the rest, attaches evidence and submits.
    reporter = login(browser, contexts, base, "reporter")
    assert "Sở Xây dựng" not in reporter.content()
    reporter.click('table a:has-text("Sở Giao thông vận tải")')
    box = leaf(reporter, "1.1")
    box.locator("input[type=radio][value='1']").check()
    reporter.locator(".savebar button[name=save]").click()
    reporter.locator(".savebar .dirty-count.ok", has_text="Đã lưu 1 chỉ số").wait_for()
    assert "10" in reporter.locator("#summary .score b").first.inner_text()

    workbook_path = tmp_path / "tu-danh-gia.xlsx"
    write_template(
        framework_parsed(province["framework"]), "so", workbook_path, unit="so-gtvt", period="2024"
    )
    workbook = load_workbook(workbook_path)
    for row in workbook["Tự đánh giá"].iter_rows(min_row=2):
        values = {"1.1": (1, None), "1.2": (45, 50), "2.1": (0.9, None), "2.2": (15, None)}
        if row[0].value in values:
            row[4].value, row[5].value = values[row[0].value]
    workbook.save(workbook_path)
    reporter.set_input_files("form.upload input[type=file]", str(workbook_path))
    reporter.click("text=Tải lên biểu mẫu đã điền")
    reporter.wait_for_selector("text=Đã đọc 4 chỉ số")

    pdf = tmp_path / "quyet-dinh.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
    leaf(reporter, "1.1").locator("input[type=file]").set_input_files(str(pdf))
    click_in_form(leaf(reporter, "1.1").locator("text=Đính kèm"))
    wait_for_text(reporter, "Đã đính kèm minh chứng")
    shot(reporter, "04-reporter-self-assessment")
    reporter.click("a[data-action=submit]")  # the completeness check first: 1.3 is empty
    reporter.locator("input[name=confirm]").check()
    reporter.click("button[data-action=confirm-submit]")
    reporter.wait_for_selector("text=Đã thực hiện: Gửi hồ sơ")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"

    # The verifier adjusts indicator 1.2 with a reason and finishes.
    verifier = login(browser, contexts, base, "verifier")
    verifier.click('table a:has-text("Sở Giao thông vận tải")')
    verifier.click("button[data-action=start_verification]")
    verifier.wait_for_selector("text=Đã thực hiện: Bắt đầu thẩm tra")
    box = leaf(verifier, "1.2")
    box.locator("input[value=adjust]").check()
    box.locator("input[name=value]").fill("20")
    box.locator("textarea[name=reason]").fill("Chỉ 20 máy tính có cấu hình đạt yêu cầu")
    with verifier.expect_navigation():
        box.locator("text=Ghi nhận").click()
    verifier.fill("textarea[name=text]", "Đã kiểm tra thực tế phòng máy chủ ngày 01/4")
    verifier.fill("input[name=visited_on]", "2024-04-01")
    verifier.click("text=Thêm ghi chú")
    verifier.wait_for_selector("text=Đã thêm ghi chú")
    shot(verifier, "05-verifier-adjustment")
    verifier.check("input[name=accept_rest]")  # the rest accepted as declared, explicitly
    verifier.click("button[data-action=finish_verification]")
    verifier.wait_for_selector("text=Đã thực hiện: Kết thúc thẩm tra")
    assessment.refresh_from_db()
    assert assessment.verified_score is not None
    assert assessment.verified_score < (assessment.self_score or 0)

    # The admin approves and publishes (the reason-less actions), the leader looks on.
    admin.goto(f"{base}/assessments/{assessment.pk}/")
    admin.click("button[data-action=approve]")
    admin.wait_for_selector("text=Đã thực hiện: Phê duyệt")
    # The decision (drafted by the admin, approved by the leader: see test_publication), then
    # the period's publication from its page: the group provisionally (one unit of two), after
    # the confirmation that says what it will do.
    import datetime as dt

    from django.contrib.auth.models import User

    from dti.web.results.publication import decision_approve, decision_save

    decision_save(
        actor=User.objects.get(username="admin"),
        period=assessment.period,
        issuer="UBND tỉnh",
        number="15/QĐ-UBND",
        date=dt.date(2024, 6, 1),
        signer="Chủ tịch",
    )
    decision_approve(actor=User.objects.get(username="leader"), period=assessment.period)
    admin.goto(f"{base}/periods/{assessment.period.pk}/")
    admin.check("form.publish-form input[name=provisional]")
    admin.click("form.publish-form button.primary")
    admin.wait_for_selector("#confirm")
    shot(admin, "05-publish-confirm")
    admin.click("#confirm button.primary")
    admin.wait_for_url(f"{base}/periods/{assessment.period.pk}/")
    admin.goto(f"{base}/")
    shot(admin, "01-admin-dashboard")
    admin.goto(f"{base}/assessments/{assessment.pk}/history/")
    assert admin.locator("text=Chỉ 20 máy tính").first.is_visible()
    shot(admin, "07-history")

    leader = login(browser, contexts, base, "leader")
    period = assessment.period
    leader.goto(f"{base}/periods/{period.pk}/results/")
    assert leader.locator("text=Sở Giao thông vận tải").is_visible()
    shot(leader, "06-leader-results")

    # The reporter sees the verifier's adjustment and reason.
    reporter.goto(f"{base}/assessments/{assessment.pk}/")
    assert reporter.locator("text=Chỉ 20 máy tính có cấu hình đạt yêu cầu").is_visible()
    shot(reporter, "08-reporter-after-verification")

    public_context = browser.new_context(locale="vi-VN")
    contexts.append(public_context)
    public = public_context.new_page()
    public.goto(f"{base}/public/2024/")
    # The name also appears in the summary and inside the SVG charts: check the ranking table.
    assert public.locator("td.name a", has_text="Sở Giao thông vận tải").is_visible()
    # (the unit not yet approved is named only among the provisional group's missing units)
    assert public.locator("td.name a", has_text="Sở Xây dựng").count() == 0
    shot(public, "09-public-results")
    login_page = public_context.new_page()
    login_page.goto(f"{base}/accounts/login/")
    shot(login_page, "00-login")
