"""The reporter's form in a real browser: nothing typed is lost, the pillar navigation, the
completeness check before submitting, the withdrawal, and the page on a phone and a desktop
without horizontal overflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.web.browser.conftest import click_in_form, wait_for_text
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1360, "height": 900}


def _login(
    browser: Any, contexts: list[Any], base: str, viewport: dict[str, int], **options: Any
) -> Any:
    context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "reporter")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    return page


def _pdf(tmp_path: Path) -> Path:
    pdf = tmp_path / "quyet-dinh.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
    return pdf


def _no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width} px wide"


def _leaf(page: Any, code: str) -> Any:
    return page.locator(f'[id="e-{code}"]')


def test_a_typed_value_survives_attaching_evidence_and_is_saved(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    world: dict[str, Any],
    shot: Any,
    tmp_path: Path,
) -> None:
    from dti.web.assessments.models import IndicatorEntry

    mine = world["mine"]
    page = _login(browser, contexts, live_server.url, DESKTOP)
    page.goto(f"{live_server.url}/assessments/{mine.pk}/")
    ratio = _leaf(page, "1.2")
    ratio.locator("input[inputmode=decimal]").first.press_sequentially("45")
    ratio.locator("input[inputmode=decimal]").nth(1).press_sequentially("50")
    page.locator(".savebar .dirty-count", has_text="1 chỉ số chưa lưu").wait_for()
    assert "is-dirty" in (ratio.get_attribute("class") or "")

    # Evidence for another indicator, attached while 1.2 is not saved yet.
    lan = _leaf(page, "1.1")
    lan.locator("input[type=file]").set_input_files(str(_pdf(tmp_path)))
    click_in_form(lan.locator("button.js-attach"))
    wait_for_text(page, "quyet-dinh.pdf", within=lan.locator(".evidence"))
    assert ratio.locator("input[inputmode=decimal]").first.input_value() == "45"
    assert ratio.locator("input[inputmode=decimal]").nth(1).input_value() == "50"
    assert IndicatorEntry.objects.get(assessment=mine, indicator="1.2").self_value is None

    # Leaving with the change unsaved asks first (the browser's own question).
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.locator("a", has_text="Lịch sử").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert ratio.locator("input[inputmode=decimal]").first.input_value() == "45"

    # Yes/no is a choice; both rows go in one save.
    lan.locator("input[type=radio][value='1']").check()
    page.locator(".savebar .dirty-count", has_text="2 chỉ số chưa lưu").wait_for()
    shot(page, "form-desktop-unsaved")
    page.locator(".savebar button[name=save]").click()
    page.locator(".savebar .dirty-count.ok", has_text="Đã lưu 2 chỉ số").wait_for()
    assert "30" in page.locator("#summary .score b").first.inner_text()
    entries = dict(
        IndicatorEntry.objects.filter(assessment=mine).values_list("indicator", "self_value")
    )
    assert (entries["1.1"], entries["1.2"]) == (1.0, 45.0)
    page.reload()  # no question now: nothing is unsaved
    assert _leaf(page, "1.2").locator("input[inputmode=decimal]").first.input_value() == "45"
    assert page.locator("#pillar-nav", has_text="2/3").is_visible()


def test_the_pillars_one_at_a_time_and_the_not_yet_filled_filter(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    world: dict[str, Any],
    shot: Any,
) -> None:
    from dti.web.assessments.services import entry_save_self

    mine = world["mine"]
    e = mine.entries.get(indicator="1.1")
    entry_save_self(
        actor=world["users"]["reporter"],
        entry=e,
        version=e.version,
        value=1.0,
        denominator=None,
        applicable=True,
    )
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = _login(browser, contexts, live_server.url, viewport)
        page.goto(f"{live_server.url}/assessments/{mine.pk}/")
        assert _leaf(page, "1.2").is_visible() and not _leaf(page, "2.2").is_visible()
        _no_horizontal_overflow(page)
        shot(page, f"form-{name}")
        page.locator("#pillar-nav a[data-pillar='2']").click()
        assert _leaf(page, "2.2").is_visible() and not _leaf(page, "1.2").is_visible()
        page.locator("#pillar-nav a[data-pillar='1']").click()
        page.locator("label[for=only-unfilled]").click()
        assert not _leaf(page, "1.1").is_visible() and _leaf(page, "1.2").is_visible()
        _no_horizontal_overflow(page)
        shot(page, f"form-{name}-not-yet-filled")


def test_submitting_shows_the_check_then_the_unit_withdraws(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    world: dict[str, Any],
    shot: Any,
) -> None:
    mine = world["mine"]
    page = _login(browser, contexts, live_server.url, PHONE)
    page.goto(f"{live_server.url}/assessments/{mine.pk}/")
    page.locator("a[data-action=submit]").click()
    page.locator("h2", has_text="5 chỉ số chưa điền").wait_for()
    assert page.locator("h2", has_text="2 trụ cột ở mức 0 điểm").is_visible()
    _no_horizontal_overflow(page)
    shot(page, "form-submit-check-phone")
    page.locator("button[data-action=confirm-submit]").click()
    mine.refresh_from_db()
    assert mine.status == "draft"  # the box is required: nothing submitted unconfirmed
    page.locator("input[name=confirm]").check()
    page.locator("button[data-action=confirm-submit]").click()
    page.wait_for_selector("text=Đã thực hiện: Gửi hồ sơ")
    mine.refresh_from_db()
    assert mine.status == "submitted"
    page.locator("button[data-action=withdraw]").click()
    page.wait_for_selector("text=Đã thực hiện: Rút hồ sơ đã gửi")
    mine.refresh_from_db()
    assert mine.status == "draft"


def test_without_javascript_attaching_evidence_keeps_the_typed_value(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    world: dict[str, Any],
    tmp_path: Path,
) -> None:
    from dti.web.assessments.models import Evidence, IndicatorEntry

    mine = world["mine"]
    page = _login(browser, contexts, live_server.url, PHONE, java_script_enabled=False)
    page.goto(f"{live_server.url}/assessments/{mine.pk}/")
    count = _leaf(page, "1.3")
    count.locator("input[inputmode=decimal]").fill("3")
    count.locator("textarea").fill("Ba điểm cầu")
    count.locator("input[type=file]").set_input_files(str(_pdf(tmp_path)))
    click_in_form(count.locator("button.js-attach"))
    wait_for_text(page, "Đã đính kèm minh chứng")
    assert _leaf(page, "1.3").locator("input[inputmode=decimal]").input_value() == "3"
    assert _leaf(page, "1.3").locator("textarea").input_value() == "Ba điểm cầu"
    e = IndicatorEntry.objects.get(assessment=mine, indicator="1.3")
    assert (e.self_value, e.explanation) == (3.0, "Ba điểm cầu")
    assert Evidence.objects.filter(entry=e).count() == 1


def test_a_save_after_the_session_ended_says_so_keeps_the_value_and_goes_through_after_sign_in(
    browser: Any, live_server: Any, contexts: list[Any], world: dict[str, Any], shot: Any
) -> None:
    """The answer of an ended session is the login page, not JSON: the reporter reads why in
    Vietnamese, keeps what was typed, signs in again in another tab and saves from the same
    page (the rotated CSRF token is read from the cookie)."""
    from dti.web.assessments.models import IndicatorEntry

    mine = world["mine"]
    base = live_server.url
    page = _login(browser, contexts, base, DESKTOP)
    page.goto(f"{base}/assessments/{mine.pk}/")
    ratio = _leaf(page, "1.2")
    ratio.locator("input[inputmode=decimal]").first.press_sequentially("45")
    ratio.locator("input[inputmode=decimal]").nth(1).press_sequentially("50")
    csrf = [c for c in page.context.cookies() if c["name"] == "csrftoken"]
    page.context.clear_cookies()  # the session ends (as after eight idle hours)
    page.context.add_cookies(csrf)
    page.locator(".savebar button[name=save]").click()
    bar = page.locator(".savebar .dirty-count.error")
    wait_for_text(page, "phiên đăng nhập đã hết", within=bar)
    shot(page, "self-form-session-ended")
    assert ratio.locator("input[inputmode=decimal]").first.input_value() == "45"
    assert IndicatorEntry.objects.get(assessment=mine, indicator="1.2").self_value is None

    other = page.context.new_page()
    other.goto(f"{base}/accounts/login/")
    other.fill("input[name=username]", "reporter")
    other.fill("input[name=password]", PASSWORD)
    other.click("button.primary")
    other.wait_for_url(f"{base}/")
    page.bring_to_front()
    page.locator(".savebar button[name=save]").click()
    wait_for_text(page, "Đã lưu 1 chỉ số", within=page.locator(".savebar"))
    saved = IndicatorEntry.objects.get(assessment=mine, indicator="1.2")
    assert (saved.self_value, saved.self_denominator) == (45, 50)
