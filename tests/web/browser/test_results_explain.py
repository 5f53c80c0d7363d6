"""A scorecard's explanation and band plan in headless Chromium, at desktop and 390 px."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web import results_fixtures


@pytest.mark.django_db(transaction=True)
def test_the_scorecard_explains_a_point_and_plans_the_next_band(
    browser: Any, live_server: Any, contexts: list[Any], shot: Any
) -> None:
    results_fixtures.load()
    base = live_server.url
    for name, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(locale="vi-VN", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{base}/public/2023/units/so-b/")
        line = page.locator("details#explain-1\\.2")
        assert not line.locator("dl").is_visible()
        line.locator("summary").click()
        assert line.locator("dl").is_visible()
        assert "tỷ lệ = 70 / 100 = 0,7" in line.inner_text()
        assert "Xếp loại" in page.locator("#explain-total").inner_text() or (
            "xếp loại" in page.locator("#explain-total").inner_text()
        )
        plan = page.locator("#plan")
        assert plan.locator(".plan-option").count() >= 1 or plan.locator("#plan-none").count()
        with page.expect_download() as download:
            page.locator("#plan-download").click()
        assert download.value.suggested_filename == "ke-hoach-so-b-2023.xlsx"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 10, width
        line.scroll_into_view_if_needed()
        shot(page, f"results-explain-{name}")
