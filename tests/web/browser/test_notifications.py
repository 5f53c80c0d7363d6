"""Reminders as a reporter meets them: the e-mail arrives (real SMTP server) for exactly the
units not yet submitted, and the inbox in the header shows it, on a phone and a desktop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.web.browser.test_cycle import login
from tests.web.conftest import FIXTURES, PASSWORD
from tests.web.smtp import Inbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(db: None) -> dict[str, Any]:
    """Two departments, each with its reporter (with an address); the period's deadline in 6
    days; Sở Xây dựng has already submitted."""
    from django.utils import timezone

    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.assessments.services import assessment_transition, period_open
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, unit_create

    so = group_ensure(code="so", name="Sở, ban, ngành", unit_kind=UnitKind.DEPARTMENT, order=0)
    version = framework_store(
        actor=None, yaml_text=(FIXTURES / "mini.yaml").read_text(), check_role=False
    )
    reporters = {}
    for code, name, user in (
        ("so-gtvt", "Sở Giao thông vận tải", "gtvt"),
        ("so-xd", "Sở Xây dựng", "xd"),
    ):
        unit = unit_create(actor=None, code=code, name=name, group=so, check_role=False)
        reporter = user_create(
            actor=None,
            username=user,
            password=PASSWORD,
            role=Role.REPORTER,
            unit=unit,
            full_name=f"Cán bộ {name}",
            check_role=False,
        )
        reporter.email = f"{user}@quangnam.gov.vn"
        reporter.save(update_fields=["email"])
        reporters[user] = reporter
    admin = user_create(
        actor=None, username="admin", password=PASSWORD, role=Role.ADMIN, check_role=False
    )
    now = timezone.now()
    period = period_open(
        actor=admin,
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=now + dt.timedelta(days=6),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks={so: version},
    )
    xd = period.assessments.get(unit__code="so-xd")
    assessment_transition(actor=reporters["xd"], assessment=xd, name="submit")
    return {"period": period, "reporters": reporters}


def test_reminder_emails_reach_exactly_the_units_not_yet_submitted_and_show_in_the_inbox(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    province: dict[str, Any],
    smtp: Inbox,
    shot: Any,
) -> None:
    from dti.web.notifications.tasks import deadline_reminders_task

    smtp.messages.clear()  # the opening and the submission's own notices
    deadline_reminders_task()  # as the consumer's hourly schedule runs it
    deadline_reminders_task()  # a second run sends nothing more
    assert [str(m["To"]) for m in smtp.messages] == ["gtvt@quangnam.gov.vn"]
    assert "Sở Giao thông vận tải chưa gửi hồ sơ" in smtp.messages[0].get_content()

    base = live_server.url
    page = login(browser, contexts, base, "gtvt")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    badge = page.locator("header .inbox .badge")
    assert badge.inner_text() == "2"  # the period's opening and the 7-day reminder
    page.click("header .inbox")
    page.wait_for_selector("text=Còn 7 ngày: Sở Giao thông vận tải chưa gửi hồ sơ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "40-notifications-inbox-phone")
    page.set_viewport_size({"width": 1360, "height": 900})
    shot(page, "41-notifications-inbox-desktop")
    page.click("text=Còn 7 ngày: Sở Giao thông vận tải chưa gửi hồ sơ")
    page.wait_for_url(f"{base}/assessments/**")
    assert page.locator("header .inbox .badge").inner_text() == "1"
    page.goto(f"{base}/notifications/preferences/")
    page.uncheck("input[value=deadline_1_day]")
    page.click("main button")
    page.wait_for_selector("text=Đã lưu lựa chọn nhận thư.")
    assert not page.is_checked("input[value=deadline_1_day]")
    shot(page, "42-notifications-preferences")
