"""The public results, a scorecard and a comparison in headless Chromium, with screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web import results_fixtures

from dti.web.assessments.models import Period
from dti.web.results import scoring
from dti.web.results.templatetags.results_format import vn


@pytest.mark.django_db(transaction=True)
def test_public_results_scorecard_and_comparison(
    browser: Any, live_server: Any, contexts: list[Any], shot: Any
) -> None:
    results_fixtures.load()
    scores = scoring.period_scores(Period.objects.get(year=2023))
    assert scores.result is not None
    expected = {
        # (at the framework's published precision, as the page writes it: 85,50)
        str(u): vn(s, 2)
        for u, s in scores.result.units.select("unit", "score").iter_rows()
    }
    base = live_server.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{base}/public/2023/")
    for unit, text in expected.items():
        assert page.locator(f"tr[data-unit='{unit}'] td.score").inner_text() == text
    # (unpublished: not ranked, named only among a provisional group's missing units)
    assert page.locator("td.name a", has_text="Huyện Núi Thành").count() == 0
    assert page.locator("svg").count() >= 5
    assert page.locator("tr[data-unit='huyen-m'] .derived").is_visible()
    shot(page, "results-01-public")

    page.goto(f"{base}/public/2023/units/so-a/")
    assert page.locator("#facts .total").inner_text() == expected["so-a"]
    # The adjustment's reason: in the table of adjustments (the explanation repeats it).
    assert page.get_by_role("cell", name="Minh chứng chỉ chứng minh được 70 máy tính").is_visible()
    shot(page, "results-02-scorecard")

    page.goto(f"{base}/public/compare/?a=2022&b=2023&group=huyen")
    assert page.locator("tr[data-unit='huyen-m'] .derived").is_visible()
    assert page.locator("p.sentence").inner_text().endswith("so với năm 2022.")
    shot(page, "results-03-compare")

    phone = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    contexts.append(phone)
    mobile = phone.new_page()
    mobile.goto(f"{base}/public/2023/")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # nothing pushes the page sideways; tables scroll in their box
    shot(mobile, "results-04-public-phone")
