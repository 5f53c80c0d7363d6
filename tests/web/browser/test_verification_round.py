"""The working group in a real browser: a full clarification round with the unit's reply, and a
dispute decided by the chair (with the four values side by side), on desktop and phone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tests.web.browser.test_cycle import leaf, login
from tests.web.conftest import FIXTURES, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def under_verification(db: None) -> dict[str, Any]:
    """A department that filled in and submitted its self-assessment; verification started."""
    from django.utils import timezone

    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.assessments.services import (
        assessment_transition,
        entry_save_self,
        period_open,
        verification_chair_name,
        verifiers_assign,
    )
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, unit_create

    so = group_ensure(code="so", name="Sở, ban, ngành", unit_kind=UnitKind.DEPARTMENT, order=0)
    version = framework_store(
        actor=None, yaml_text=(FIXTURES / "mini.yaml").read_text(), check_role=False
    )
    unit = unit_create(
        actor=None, code="so-gtvt", name="Sở Giao thông vận tải", group=so, check_role=False
    )
    users = {
        username: user_create(
            actor=None, username=username, password=PASSWORD, role=role, unit=u, check_role=False
        )
        for username, role, u in (
            ("admin", Role.ADMIN, None),
            ("reporter", Role.REPORTER, unit),
            ("verifier", Role.VERIFIER, None),
            ("totruong", Role.VERIFIER, None),
        )
    }
    now = timezone.now()
    period = period_open(
        actor=users["admin"],
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=now + dt.timedelta(days=10),
        verification_deadline=now + dt.timedelta(days=40),
        frameworks={so: version},
    )
    assessment = period.assessments.get()
    for code, value, denominator in (("1.1", 1.0, None), ("1.2", 40.0, 50.0), ("2.2", 15.0, None)):
        e = assessment.entries.get(indicator=code)
        entry_save_self(
            actor=users["reporter"],
            entry=e,
            version=e.version,
            value=value,
            denominator=denominator,
            applicable=True,
        )
    assessment_transition(actor=users["reporter"], assessment=assessment, name="submit")
    assessment_transition(actor=users["verifier"], assessment=assessment, name="start_verification")
    verifiers_assign(actor=users["admin"], period=period, verifier=users["verifier"], units=[unit])
    verification_chair_name(actor=users["admin"], period=period, chair=users["totruong"])
    return {"assessment": assessment, "users": users}


def test_a_full_clarification_round_with_the_units_reply(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    under_verification: dict[str, Any],
    shot: Any,
    tmp_path: Path,
) -> None:
    from dti.web.assessments.models import Clarification, IndicatorEntry

    base = live_server.url
    assessment = under_verification["assessment"]
    url = f"{base}/assessments/{assessment.pk}/"

    # The verifier asks the unit about 1.2: the evidence is missing.
    verifier = login(browser, contexts, base, "verifier")
    verifier.goto(url)
    box = leaf(verifier, "1.2")
    box.locator("summary", has_text="Hỏi đơn vị").click()
    box.locator("select[name=reason]").select_option("evidence_missing")
    box.locator("textarea[name=question]").fill("Đề nghị gửi biên bản kiểm kê máy tính năm 2024")
    box.locator("text=Gửi câu hỏi").click()
    verifier.wait_for_selector("text=Đã gửi câu hỏi về chỉ số 1.2")
    assert leaf(verifier, "1.2").locator("text=Thiếu minh chứng").first.is_visible()

    # The unit answers before the deadline: an explanation, a corrected value, the file.
    reporter = login(browser, contexts, base, "reporter")
    reporter.goto(url)
    box = leaf(reporter, "1.2")
    assert box.locator("text=Đề nghị gửi biên bản kiểm kê").is_visible()
    answer = box.locator("form.answer-form")
    answer.locator("textarea[name=text]").fill("Biên bản kiểm kê: 35 máy đạt cấu hình")
    answer.locator("input[name=value]").fill("35")
    answer.locator("input[name=denominator]").fill("50")
    pdf = tmp_path / "bien-ban-kiem-ke.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
    answer.locator("input[type=file]").set_input_files(str(pdf))
    answer.locator("text=Gửi trả lời").click()
    reporter.wait_for_selector("text=Đã gửi trả lời về chỉ số 1.2")
    shot(reporter, "10-clarification-answered")
    assert Clarification.objects.get().state == "answered"

    # The verifier sees the answer, adopts the unit's new value (offered in the form), and
    # finishes with the explicit choice for the indicators left.
    verifier.goto(url)
    box = leaf(verifier, "1.2")
    assert box.locator("text=Biên bản kiểm kê: 35 máy đạt cấu hình").is_visible()
    assert box.locator(".exchange a", has_text="bien-ban-kiem-ke.pdf").is_visible()
    form = box.locator("form.verify")
    assert form.locator("input[value=adjust]").is_checked()
    assert form.locator("input[name=value]").input_value() == "35"
    with verifier.expect_navigation():
        form.locator("text=Ghi nhận").click()
    e = IndicatorEntry.objects.get(assessment=assessment, indicator="1.2")
    assert (e.verdict, e.verified_value) == ("adjusted", 35.0)
    assert Clarification.objects.get().state == "closed"
    shot(verifier, "11-clarification-settled")

    # Only the chair signs off; the chair ticks "accept the rest as declared".
    chair = login(browser, contexts, base, "totruong")
    chair.goto(url)
    chair.locator("button[data-action=finish_verification]").click()
    chair.wait_for_selector("text=chấp nhận theo số liệu đơn vị tự đánh giá?")
    chair.locator("input[name=accept_rest]").check()
    chair.locator("button[data-action=finish_verification]").click()
    chair.wait_for_selector("text=Đã thực hiện: Kết thúc thẩm tra")
    assessment.refresh_from_db()
    assert assessment.status == "verified"


def test_a_dispute_decided_by_the_chair(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    under_verification: dict[str, Any],
    shot: Any,
) -> None:
    from dti.web.assessments.services import assessment_transition, entry_verify

    base = live_server.url
    assessment = under_verification["assessment"]
    users = under_verification["users"]
    e = assessment.entries.get(indicator="1.2")
    entry_verify(
        actor=users["verifier"],
        entry=e,
        version=e.version,
        adjust=True,
        value=20.0,
        denominator=50.0,
        reason="Chỉ 20 máy tính có cấu hình đạt yêu cầu",
    )
    assessment_transition(
        actor=users["totruong"],
        assessment=assessment,
        name="finish_verification",
        accept_rest=True,
    )
    assessment.refresh_from_db()
    adjusted_score = assessment.verified_score
    url = f"{base}/assessments/{assessment.pk}/"

    # The unit disputes the adjustment on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    contexts.append(phone)
    reporter = phone.new_page()
    reporter.goto(f"{base}/accounts/login/")
    reporter.fill("input[name=username]", "reporter")
    reporter.fill("input[name=password]", PASSWORD)
    reporter.click("button.primary")
    reporter.wait_for_url(f"{base}/")
    reporter.goto(url)
    box = leaf(reporter, "1.2")
    box.locator("summary", has_text="Giải trình điều chỉnh này").click()
    form = box.locator("form.dispute-form")
    form.locator("textarea[name=reasons]").fill("Biên bản kiểm kê ghi 40 máy đạt cấu hình")
    form.locator("input[name=value]").fill("40")
    form.locator("input[name=denominator]").fill("50")
    form.locator("text=Gửi giải trình").click()
    reporter.wait_for_selector("text=Đã gửi giải trình chỉ số 1.2")
    width = reporter.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # no horizontal overflow on a phone
    shot(reporter, "12-dispute-filed-phone")

    # The chair sees declared, verified, disputed side by side and grants it.
    chair = login(browser, contexts, base, "totruong")
    chair.goto(url)
    box = leaf(chair, "1.2")
    sides = box.locator("table.sides")
    assert sides.locator("[data-side=declared]").inner_text().strip() == "40 / 50"
    assert sides.locator("[data-side=verified]").inner_text().strip() == "20 / 50"
    assert sides.locator("[data-side=disputed]").inner_text().strip() == "40 / 50"
    decide = box.locator("form.decide-form")
    decide.locator("input[value=grant]").check()
    decide.locator("textarea[name=reason]").fill("Biên bản kiểm kê hợp lệ")
    decide.locator("text=Quyết định").click()
    chair.wait_for_selector("text=Đã quyết định giải trình chỉ số 1.2")
    final = leaf(chair, "1.2").locator("table.sides [data-side=final]")
    assert final.inner_text().strip() == "40 / 50"
    shot(chair, "13-dispute-decided")
    assessment.refresh_from_db()
    assert assessment.verified_score is not None and adjusted_score is not None
    assert assessment.verified_score > adjusted_score
    # The unit sees the decision too.
    reporter.goto(url)
    assert (
        leaf(reporter, "1.2").locator("text=Chấp nhận: tính theo số liệu của đơn vị").is_visible()
    )
