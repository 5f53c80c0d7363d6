"""Walks every page and the form errors of every role in Vietnamese (the default language):
no English message may appear (tests/web/english_detector.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from tests.web.conftest import advance, entry
from tests.web.english_detector import english_words, visible_text

from dti.web.assessments.period_import.jobs import values_import_run, values_import_start

ROLES = ("admin", "reporter", "outsider", "verifier", "leader")


def _english(response: Any) -> list[str]:
    if "html" not in response.get("Content-Type", ""):
        return []
    return english_words(visible_text(response.content.decode()))


def _pages(world: dict[str, Any]) -> list[str]:
    mine, period = world["mine"], world["period"]
    return [
        reverse("home"),
        reverse("unit_list"),
        reverse("unit_import"),
        reverse("unit_detail", args=[world["units"]["a"].pk]),
        reverse("unit_library", args=[world["units"]["a"].pk]),
        reverse("framework_list"),
        reverse("framework_upload"),
        reverse("framework_detail", args=[world["framework"].pk]),
        reverse("period_create"),
        reverse("period_detail", args=[period.pk]),
        reverse("period_deadlines", args=[period.pk]),
        reverse("period_import", args=[period.pk]),
        reverse("period_results", args=[period.pk]),
        reverse("assessment_detail", args=[mine.pk]),
        reverse("assessment_history", args=[mine.pk]),
        reverse("assessment_detail", args=[world["theirs"].pk]),
        reverse("audit_list"),
        reverse("password_change"),
        reverse("public_index"),
        reverse("results_compare"),
        reverse("results_decision", args=[period.pk]),
        reverse("results_robustness", args=[period.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_speaks_english_to_any_role(world: dict[str, Any], role: str) -> None:
    client = Client()
    client.force_login(world["users"][role])
    found = {}
    for url in _pages(world):
        response = client.get(url, follow=True)
        if words := _english(response):
            found[url] = (response.status_code, words)
    assert not found


def _followed(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, follow=True)


def _workbook(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("bang.xlsx", out.getvalue())


def test_an_entry_refused_by_the_engine_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.2")
    url = reverse("entry_save", args=[world["mine"].pk, e.pk])
    response = _followed(client, url, {"version": 1, "value": "150", "denominator": "139"})
    page = visible_text(response.content.decode())
    assert "tử số 150 lớn hơn mẫu số 139" in page
    assert not _english(response)
    fetched = client.post(
        url,
        {"version": 1, "value": "150", "denominator": "139"},
        headers={"X-Requested-With": "fetch"},
    ).json()
    assert not english_words(" ".join([fetched["message"], *fetched["problems"]]))


def test_a_value_that_is_not_a_number_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.3")
    url = reverse("entry_save", args=[world["mine"].pk, e.pk])
    response = _followed(client, url, {"version": 1, "value": "abc"})
    assert not _english(response)


def test_an_ambiguous_number_in_the_form_is_asked_about_in_vietnamese(
    world: dict[str, Any],
) -> None:
    """1.800 is 1800 to an official and 1,8 to software: the form asks which (issue #16)."""
    client = Client()
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.3")
    url = reverse("entry_save", args=[world["mine"].pk, e.pk])
    response = _followed(client, url, {"version": 1, "value": "1.800"})
    page = visible_text(response.content.decode())
    assert "“1.800” không rõ nghĩa" in page and "(1800)" in page and "(1,8)" in page
    assert not _english(response)
    e.refresh_from_db()
    assert e.self_value is None  # nothing guessed, nothing saved


def test_an_ambiguous_number_in_a_values_import_is_asked_about_in_vietnamese(
    world: dict[str, Any],
) -> None:
    """The same question for a text cell of a values table; the typed cell 1.8 of a workbook
    is a number and is written (issue #16)."""
    client = Client()
    client.force_login(world["users"]["admin"])
    table = "unit,period,indicator,value,denominator,applicable\nso-a,2023,1.3,1.800,,\n"
    job = values_import_start(
        actor=world["users"]["admin"],
        period=world["period"],
        upload=SimpleUploadedFile("d.csv", table.encode()),
    )
    values_import_run(job.pk)
    response = client.get(reverse("values_import_detail", args=[job.pk]))
    page = visible_text(response.content.decode())
    assert "dòng 2, cột “value”: “1.800” không rõ nghĩa" in page
    assert not _english(response)
    typed = _workbook([["unit", "period", "indicator", "value"], ["so-a", "2023", "2.2", 1.8]])
    job = values_import_start(actor=world["users"]["admin"], period=world["period"], upload=typed)
    values_import_run(job.pk)
    assert entry(world["mine"], "2.2").self_value == 1.8


def test_a_framework_missing_a_field_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["admin"])
    response = client.post(reverse("framework_upload"), {"text": "code: x\nname: {vi: X}\n"})
    page = visible_text(response.content.decode())
    assert "trường “years”: bắt buộc nhưng chưa có" in page
    assert not _english(response)


def test_a_wrong_values_import_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["admin"])
    table = "unit,period,indicator,value,denominator,applicable\nso-a,2023,1.2,abc,,\n"
    job = values_import_start(
        actor=world["users"]["admin"],
        period=world["period"],
        upload=SimpleUploadedFile("d.csv", table.encode()),
    )
    values_import_run(job.pk)  # (the page runs it in a thread)
    response = client.get(reverse("values_import_detail", args=[job.pk]))
    page = visible_text(response.content.decode())
    assert "không phải là số" in page
    assert not _english(response)


def test_a_wrong_workbook_upload_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["reporter"])
    url = reverse("workbook_upload", args=[world["mine"].pk])
    response = _followed(client, url, {"file": _workbook([["a", "b"], [1, 2]])})
    assert not _english(response)


def test_a_wrong_units_file_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["admin"])
    text = "unit,name,group\nx1,Xã Một,so\nx1,Xã Hai,so\n"
    response = _followed(
        client, reverse("unit_import"), {"file": SimpleUploadedFile("u.csv", text.encode())}
    )
    assert not _english(response)


def test_a_refused_action_is_said_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["outsider"])
    response = client.get(reverse("assessment_history", args=[world["mine"].pk]))
    assert response.status_code in (403, 404)
    assert not _english(response)


def test_a_form_sent_without_its_security_token_is_said_in_vietnamese(
    world: dict[str, Any],
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["admin"])
    response = client.post(reverse("framework_upload"), {"text": "code: x"})
    assert response.status_code == 403
    assert not _english(response)


def test_the_english_pages_say_the_same_problem_in_english(
    world: dict[str, Any], settings: Any
) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.2")
    url = reverse("entry_save", args=[world["mine"].pk, e.pk])
    response = _followed(client, url, {"version": 1, "value": "1500", "denominator": "139,5"})
    assert "numerator 1,500 exceeds the denominator 139.5" in response.content.decode()


def test_a_refused_save_answers_the_page_script_in_vietnamese(world: dict[str, Any]) -> None:
    client = Client()
    advance(world, world["mine"], "submitted")
    client.force_login(world["users"]["verifier"])  # sees it now, may not fill it in
    e = entry(world["mine"], "1.1")
    response = client.post(
        reverse("entry_save", args=[world["mine"].pk, e.pk]),
        {"version": 1, "value": "1"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 403
    data = response.json()
    assert data["code"] == "forbidden" and data["message"]
    assert not english_words(data["message"])
