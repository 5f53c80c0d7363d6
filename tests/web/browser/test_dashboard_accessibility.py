"""The leader's dashboard on a desktop and a phone, and the public pages checked with axe-core
(no serious or critical violation), in headless Chromium, with screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.web import results_fixtures
from tests.web.conftest import PASSWORD

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments.models import Period

AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def _sign_in(browser: Any, contexts: list[Any], base: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "lanh-dao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    return page


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_on_a_desktop_and_a_phone(
    browser: Any, live_server: Any, contexts: list[Any], shot: Any
) -> None:
    results_fixtures.load()
    user_create(
        actor=None, username="lanh-dao", password=PASSWORD, role=Role.LEADER, check_role=False
    )
    newest = Period.objects.order_by("-year").first()
    assert newest is not None
    base = live_server.url
    for name, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        page = _sign_in(browser, contexts, base, viewport)
        page.wait_for_url(f"{base}/periods/{newest.pk}/dashboard/")
        figures = page.locator("figure.chart")
        assert figures.count() >= 4
        visible = page.locator("figure.chart svg:visible")
        assert visible.count() == figures.count()  # one drawing per chart: the one that fits
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 10, (name, width)
        shot(page, f"dashboard-{name}")
        # a bar is a link to the rows behind it
        link = page.locator("#chart-progress .chart-wide a, #chart-progress .chart-narrow a")
        assert link.count() >= 1


def _serious(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        })).violations.filter(v => ['serious', 'critical'].includes(v.impact))
          .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
    )
    return list(violations)


@pytest.mark.django_db(transaction=True)
def test_the_public_pages_have_no_serious_accessibility_violation(
    browser: Any, live_server: Any, contexts: list[Any]
) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: run scripts/system-deps (it installs {AXE})")
    results_fixtures.load()
    base = live_server.url
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        # (the checker is injected as a script: the pages' CSP would refuse it, rightly)
        context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        for path in ("/public/", "/public/2023/", "/public/2023/units/so-a/"):
            page.goto(f"{base}{path}")
            assert _serious(page) == [], (path, viewport)
