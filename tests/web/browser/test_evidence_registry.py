"""The evidence registry in a real browser: the reporter files a decision once in the unit's
library, links it from the form where the indicator asks for a decision (suggested) while a
typed value waits unsaved, a verifier's remark on it appears on the form; the library and the
form on a desktop and at 390 px, without horizontal overflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.web.browser.conftest import click_in_form
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1360, "height": 900}


def _login(browser: Any, contexts: list[Any], base: str, who: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    return page


def _no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{width} px wide"


def test_a_decision_filed_once_is_linked_from_the_form_and_remarked(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    world: dict[str, Any],
    year_2024: dict[str, Any],
    shot: Any,
    tmp_path: Path,
) -> None:
    from dti.web.assessments.models import Document, Evidence, IndicatorEntry
    from dti.web.assessments.services import document_remark

    base = live_server.url
    unit = world["units"]["a"]
    pdf = tmp_path / "qd-12-ban-chi-dao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")

    # The library: the decision filed once, with its number, date, issuer and title.
    page = _login(browser, contexts, base, "reporter", DESKTOP)
    page.goto(f"{base}/assessments/{year_2024['mine'].pk}/")
    page.locator("a.button", has_text="Tài liệu của đơn vị").click()
    page.wait_for_url(f"{base}/units/{unit.pk}/documents/")
    form = page.locator("form.doc-form")
    form.locator("input[type=file]").set_input_files(str(pdf))
    form.locator("select[name=kind]").select_option("decision")
    form.locator("input[name=number]").fill("12/QĐ-SGTVT")
    form.locator("input[name=issued_on]").fill("2024-03-15")
    form.locator("input[name=issuer]").fill("Sở Giao thông vận tải")
    form.locator("input[name=title]").fill("Thành lập Ban chỉ đạo chuyển đổi số")
    form.locator("button.primary").click()
    page.locator(".doc", has_text="12/QĐ-SGTVT").wait_for()
    assert "15/03/2024" in page.locator(".doc").inner_text()
    shot(page, "library-desktop")

    # The form: 1.2 typed and not saved; the decision linked to 1.1, where it is suggested.
    page.goto(f"{base}/assessments/{year_2024['mine'].pk}/")
    ratio = page.locator('[id="e-1.2"]')
    ratio.locator("input[inputmode=decimal]").first.press_sequentially("45")
    ratio.locator("input[inputmode=decimal]").nth(1).press_sequentially("50")
    lan = page.locator('[id="e-1.1"]')
    assert lan.locator("optgroup").first.get_attribute("label") == (
        "Gợi ý: đúng loại tài liệu yêu cầu"
    )
    assert "Đã có 1 tài liệu đúng loại yêu cầu." in lan.inner_text()
    click_in_form(lan.locator("button.js-link"))
    lan.locator(".evidence a", has_text="qd-12-ban-chi-dao.pdf").wait_for()
    assert ratio.locator("input[inputmode=decimal]").first.input_value() == "45"
    assert ratio.locator("input[inputmode=decimal]").nth(1).input_value() == "50"
    e12 = IndicatorEntry.objects.get(assessment=year_2024["mine"], indicator="1.2")
    assert e12.self_value is None  # not saved: only the link went
    document = Document.objects.get()
    assert Evidence.objects.filter(document=document, entry__indicator="1.1").count() == 1
    page.locator(".savebar button.primary").click()
    page.locator(".savebar .dirty-count.ok", has_text="Đã lưu 1 chỉ số.").wait_for()
    e12.refresh_from_db()
    assert (e12.self_value, e12.self_denominator) == (45.0, 50.0)

    # A verifier's remark on the document: read on the unit's form, beside the link.
    document_remark(
        actor=world["users"]["verifier"], document=document, text="Bản chụp thiếu trang 2."
    )
    page.reload()
    page.locator('[id="e-1.1"] .remark', has_text="Bản chụp thiếu trang 2.").wait_for()
    page.locator('[id="e-1.1"]').scroll_into_view_if_needed()
    shot(page, "evidence-linked-desktop")

    # At 390 px: the library and the form's evidence, nothing wider than the screen.
    phone = _login(browser, contexts, base, "reporter", PHONE)
    phone.goto(f"{base}/units/{unit.pk}/documents/")
    phone.locator(".doc .remark", has_text="Bản chụp thiếu trang 2.").wait_for()
    _no_horizontal_overflow(phone)
    shot(phone, "library-phone")
    phone.goto(f"{base}/assessments/{year_2024['mine'].pk}/#e-1.1")
    phone.locator('[id="e-1.1"] details.doc-details summary').click()
    _no_horizontal_overflow(phone)
    shot(phone, "evidence-form-phone")


def test_a_verifier_remarks_in_the_library(
    browser: Any,
    live_server: Any,
    contexts: list[Any],
    world: dict[str, Any],
    shot: Any,
) -> None:
    from dti.web.assessments.models import DocumentKind, DocumentRemark
    from dti.web.assessments.services import DocumentDetails, document_add

    document = document_add(
        actor=world["users"]["reporter"],
        unit=world["units"]["a"],
        url="https://sogtvt.example.gov.vn/ke-hoach-cds-2024",
        details=DocumentDetails(kind=DocumentKind.PLAN, title="Kế hoạch chuyển đổi số 2024"),
    )
    page = _login(browser, contexts, live_server.url, "verifier", PHONE)
    page.goto(f"{live_server.url}/units/{document.unit_id}/documents/")
    card = page.locator(f"#doc-{document.pk}")
    card.locator("textarea[name=text]").fill("Kế hoạch chưa có phụ lục kinh phí.")
    card.locator(".remark-form button").click()
    page.locator(".msg", has_text="Đã thêm nhận xét.").wait_for()
    assert DocumentRemark.objects.get().text == "Kế hoạch chưa có phụ lục kinh phí."
    assert page.locator("form.doc-form").count() == 0  # a verifier files nothing
    _no_horizontal_overflow(page)
    shot(page, "library-verifier-phone")
