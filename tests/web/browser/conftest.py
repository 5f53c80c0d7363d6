"""Browser tests: Playwright's sync API driving Debian's Chromium against live_server.

Never ``playwright install`` (it downloads a browser); the system Chromium is used instead.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def contexts(browser: Any, live_server: Any) -> Iterator[list[Any]]:
    """Browser contexts opened by a test; closed before the live server's database goes away
    (an open keep-alive connection would otherwise end in a server thread after the test)."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()
    time.sleep(0.3)


@pytest.fixture
def shot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


def wait_for_text(page: Any, text: str, *, within: Any = None) -> None:
    """Wait for ``text`` on the page (or inside the locator ``within``); when it never comes,
    fail with what the page says instead (its messages and the start of its text), so that a
    refusal shown to the user is in the report rather than a bare timeout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    scope = within if within is not None else page
    try:
        scope.get_by_text(text).first.wait_for(timeout=30_000)
    except PlaywrightTimeout:
        messages = page.locator(".messages, .msg, [role=alert], [role=status]").all_inner_texts()
        body = page.locator("body").inner_text()[:1500]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "failure-wait-for-text.png"), full_page=True)
        (SCREENSHOTS / "failure-wait-for-text.html").write_text(page.content())
        pytest.fail(f"{text!r} never appeared at {page.url}; messages: {messages}; page: {body}")


def click_in_form(locator: Any) -> None:
    """Click a button of the unit's form once it is in the middle of the window: the form's
    save bar sticks to the bottom and a button scrolled only just into view may lie under it
    (the click would then press the bar's Save, as a hurried user might)."""
    locator.evaluate("e => e.scrollIntoView({block: 'center'})")
    locator.click()
