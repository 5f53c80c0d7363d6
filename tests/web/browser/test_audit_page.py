"""The admin reads the audit log in a real browser: Vietnamese labels, the indicator, a
filter, and a phone-wide page that does not overflow sideways."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.browser.test_cycle import login
from tests.web.browser.test_values_import import period  # noqa: F401 - the fixture
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_reads_and_filters_the_audit_log(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    period: Any,  # noqa: F811 - the fixture imported above
    shot: Any,
) -> None:
    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.assessments.services import entry_save_self

    assessment = period.assessments.get(unit__code="so-gtvt")
    reporter = user_create(
        actor=None,
        username="baocao",
        password=PASSWORD,
        role=Role.REPORTER,
        unit=assessment.unit,
        check_role=False,
    )
    e = assessment.entries.get(indicator="1.3")
    entry_save_self(
        actor=reporter, entry=e, version=e.version, value=1234.5, denominator=None, applicable=True
    )
    base = live_server.url
    admin = login(browser, contexts, base, "admin")
    admin.goto(f"{base}/audit/")
    text = admin.inner_text("main")
    assert "Lưu giá trị tự đánh giá" in text and "Điểm cầu truyền hình" in text
    assert "1.234,5" in text and "self_value" not in text
    shot(admin, "audit-log-desktop")
    admin.select_option("select[name=action]", "entry_save_self")
    admin.click("text=Lọc")
    admin.wait_for_url("**action=entry_save_self**")
    assert "Mở kỳ đánh giá" not in admin.inner_text("table.audit")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.goto(f"{base}/audit/")
    overflow = admin.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(admin, "audit-log-phone")
    assert overflow <= 0
