"""The framework's data-quality rules warn the unit on its form and the verifier on the
assessment page, after every save, in the reader's language; an import keeps its warnings;
a pull calls the same function over the units it wrote."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.web.conftest import advance, entry

from dti.web.assessments.models import Assessment, ImportState
from dti.web.assessments.period_import import values_import_run, values_import_start
from dti.web.assessments.quality import period_quality

ABOVE = "cao hơn mức tối đa hợp lý 5"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_pull_or_a_save_asks_one_function_for_the_units_it_wrote(
    measured: dict[str, Any],
) -> None:
    found = period_quality(period=measured["period24"], units=["so-a", "so-b"])
    assert list(found) == ["so-b"]
    (warning,) = found["so-b"]
    assert (warning.indicator, warning.message.code) == ("1.3", "quality_above_range")
    assert period_quality(period=measured["period24"], units=["so-a"]) == {}


def test_the_unit_sees_the_warning_on_its_form_after_the_save_that_causes_it(
    measured: dict[str, Any],
) -> None:
    a = measured["a"]
    client = _client(measured["users"]["reporter"])
    assert ABOVE not in client.get(reverse("assessment_detail", args=[a.pk])).content.decode()
    e13 = entry(a, "1.3")
    p = f"e{e13.pk}"
    answer = client.post(
        reverse("entries_save", args=[a.pk]),
        {f"{p}-version": str(e13.version), f"{p}-value": "7", f"initial-{p}-value": "3"},
        headers={"X-Requested-With": "fetch"},
    ).json()
    assert answer["ok"]
    assert "Cảnh báo chất lượng số liệu" in answer["summary_html"]
    assert "chỉ số 1.3 (7) " + ABOVE in answer["summary_html"]
    assert entry(a, "1.3").self_value == 7  # a warning, not a refusal


def test_the_verifier_sees_the_warning_beside_the_scores(measured: dict[str, Any]) -> None:
    b = advance(measured, Assessment.objects.get(pk=measured["b"].pk), "under_verification")
    page = _client(measured["users"]["verifier"]).get(reverse("assessment_detail", args=[b.pk]))
    assert "chỉ số 1.3 (8) " + ABOVE in page.content.decode()


def test_the_warning_speaks_english_to_an_english_reader(measured: dict[str, Any]) -> None:
    client = _client(measured["users"]["outsider"])
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("assessment_detail", args=[measured["b"].pk])).content.decode()
    assert "indicator 1.3 (8) is above the plausible maximum 5" in page


def test_an_import_keeps_the_warnings_of_the_units_it_wrote(measured: dict[str, Any]) -> None:
    upload = SimpleUploadedFile(
        "du-lieu.csv",
        b"unit,period,indicator,value,denominator,applicable\nso-a,2024,1.3,9,,\n",
    )
    with translation.override("en"):
        job = values_import_start(
            actor=measured["admin"], period=measured["period24"], upload=upload
        )
    job = values_import_run(job.pk)
    assert job.state == ImportState.DONE
    assert [(w["unit"], w["code"]) for w in job.warnings] == [("so-a", "quality_above_range")]
    page = _client(measured["admin"]).get(reverse("values_import_detail", args=[job.pk]))
    assert "chỉ số 1.3 (9) " + ABOVE in page.content.decode()
