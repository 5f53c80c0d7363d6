"""Continuous measurement in a real browser: the admin sets the rhythm and takes a snapshot,
the provisional ranking is labelled as such, the reporter sees the trend and a data-quality
warning on the unit's page (also at 390 px), and the admin closes the year from a snapshot
after a confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.web.browser.test_cycle import login
from tests.web.measured_world import fill

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def test_admin_measures_continuously_and_the_reporter_follows_the_trend(
    browser: Any, live_server: Any, contexts: list[Any], measured: dict[str, Any], shot: Any
) -> None:
    from dti.web.snapshots.models import ContinuousPlan, Snapshot
    from dti.web.snapshots.services import snapshot_take

    period = measured["period24"]
    # Two months measured before today; so-a then typed 7 video-conference points (above 5).
    snapshot_take(actor=None, period=period, as_of=dt.date(2024, 1, 1), check_role=False)
    fill(measured["a"], **{"1.2": (9, 10)})
    snapshot_take(actor=None, period=period, as_of=dt.date(2024, 2, 1), check_role=False)
    fill(measured["a"], **{"1.2": (10, 10), "1.3": (7, None)})

    base = live_server.url
    admin = login(browser, contexts, base, "admin")
    admin.goto(f"{base}/periods/{period.pk}/")
    admin.click("text=Chốt số liệu định kỳ")
    admin.check("input[name=active]")
    admin.select_option("select[name=rhythm]", "monthly")
    admin.click("#plan button:has-text('Lưu')")
    admin.wait_for_selector("text=Đang đo liên tục")
    admin.click("#take-now button")
    admin.wait_for_selector("text=Đang chốt số liệu")
    assert "Xếp hạng tạm thời" in admin.content()
    shot(admin, "snapshots-1-period")
    assert Snapshot.objects.filter(period=period).count() == 3
    assert ContinuousPlan.objects.get(period=period).active

    reporter = login(browser, contexts, base, "reporter")
    reporter.goto(f"{base}/assessments/{measured['a'].pk}/")
    reporter.wait_for_selector("#trend .chart-narrow svg")
    page = reporter.content()
    assert "Diễn biến qua các lần chốt số liệu" in page
    assert "Cảnh báo chất lượng số liệu" in page and "cao hơn mức tối đa hợp lý 5" in page
    shot(reporter, "snapshots-2-unit-trend-and-warning")
    reporter.click("text=Diễn biến của đơn vị và từng chỉ số")
    reporter.select_option("select[name=indicator]", "1.2")
    reporter.click("#indicator-trend button")
    reporter.wait_for_selector("text=Chỉ số 1.2 qua các lần chốt số liệu")
    shot(reporter, "snapshots-3-indicator-trend")
    reporter.set_viewport_size(PHONE)
    reporter.goto(f"{base}/assessments/{measured['a'].pk}/")
    reporter.wait_for_selector("#trend .chart-narrow svg")
    width = reporter.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 390 px ({width} px)"
    shot(reporter, "snapshots-4-unit-trend-phone")

    first = Snapshot.objects.get(period=period, as_of=dt.date(2024, 2, 1))
    admin.goto(f"{base}/snapshots/{first.pk}/")
    admin.click("text=Chốt kết quả năm từ lần chốt số liệu này")
    admin.wait_for_selector("#confirm")
    assert "Không thể hoàn tác" in admin.content()
    shot(admin, "snapshots-5-close-confirm")
    admin.fill("textarea[name=reason]", "Chốt số liệu ngày 01/02/2024 theo kế hoạch")
    admin.click("#confirm button.primary")
    admin.wait_for_url(f"{base}/periods/{period.pk}/")
    assert "Đã chốt kết quả năm từ lần chốt số liệu ngày 01/02/2024" in admin.content()
    shot(admin, "snapshots-6-closed")
    assert ContinuousPlan.objects.get(period=period).closed_from == first
