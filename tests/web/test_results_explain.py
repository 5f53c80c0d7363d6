"""The scorecard explains every point (web, PDF, API) from the engine's trace, and plans the
next band; permission-checked like the scorecard."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from tests.web import results_fixtures

from dti.engine.messages import say
from dti.web.api.services import token_create
from dti.web.assessments.models import Period
from dti.web.problems import message_text
from dti.web.registry.models import Unit

province = results_fixtures.province_fixture
client_for = results_fixtures.client_for


def _explained(response: Any) -> Any:
    assert response.status_code == 200
    return response.context["explained"]


def test_the_scorecard_explains_every_indicator_and_adds_up_to_its_score(
    province: dict[int, Period],
) -> None:
    response = Client().get("/public/2023/units/so-a/")
    x = _explained(response)
    card = response.context["card"]
    lines = [line for p in x.pillars for line in p.lines]
    assert {line.trace.indicator for line in lines} == {"1.1", "1.2", "1.3", "2.1", "2.2"}
    assert sum(line.trace.points for line in lines) == pytest.approx(x.trace.tree_points)
    assert x.trace.score == card.score
    assert response.context["group"].framework.bands[x.trace.band_index].name.vi == card.band_name
    body = response.content.decode()
    # The verifier's 70 of 100 counted, with the adjustment's reason, in Vietnamese numbers.
    adjusted = x.trace.indicator("1.2")
    assert (adjusted.value, adjusted.denominator) == (70.0, 100.0)
    line_12 = next(line for line in lines if line.trace.indicator == "1.2")
    assert line_12.origin.verified
    assert "Minh chứng chỉ chứng minh được 70 máy tính" in line_12.source
    assert "tỷ lệ = 70 / 100 = 0,7" in body
    assert 'id="explain-1.2"' in body and 'id="explain-total"' in body


def test_the_change_of_a_merged_unit_names_its_predecessors(province: dict[int, Period]) -> None:
    x = _explained(Client().get("/public/2023/units/huyen-m/"))
    previous = x.trace.previous
    assert previous is not None and previous.derived
    assert previous.predecessors == ("huyen-x", "huyen-y")
    assert "huyen-x, huyen-y" in x.previous[0]


def test_names_of_people_only_for_those_who_may_open_the_assessment(
    province: dict[int, Period],
) -> None:
    anonymous = _explained(Client().get("/public/2023/units/so-a/"))
    admin = _explained(client_for("admin").get("/public/2023/units/so-a/"))
    verified_by = {line.origin.verified_by for p in admin.pillars for line in p.lines}
    assert verified_by - {""}, "the admin sees who verified"
    assert {line.origin.verified_by for p in anonymous.pillars for line in p.lines} == {""}
    assert {line.origin.entered_by for p in anonymous.pillars for line in p.lines} == {""}


def test_the_steps_are_said_in_english_on_english_pages() -> None:
    step = say("explain_band", percent=81.5, band="Tốt", band_en="Good", minimum=80)
    with translation.override("en"):
        assert message_text(step) == "81.5% of the maximum: band Good (from 80%)"
    with translation.override("vi"):
        assert message_text(step) == "đạt 81,5% điểm tối đa: xếp loại Tốt (từ 80%)"


@pytest.mark.parametrize(
    "path",
    [
        "/public/2023/units/huyen-c/",  # approved, not published
        "/public/2023/units/huyen-c/plan.xlsx",
        "/public/2024/units/so-a/plan.xlsx",
    ],
)
def test_an_unpublished_units_explanation_and_plan_are_not_public(
    province: dict[int, Period], path: str
) -> None:
    assert Client().get(path).status_code == 404
    assert client_for("reporter").get(path).status_code == 404


def test_the_plan_is_shown_and_exported(province: dict[int, Period]) -> None:
    x = _explained(Client().get("/public/2023/units/so-b/"))
    plan = x.plan
    assert plan.reached or plan.plans
    response = Client().get("/public/2023/units/so-b/plan.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [r for r in sheet.iter_rows(min_row=6, values_only=True) if r[0] is not None]
    steps = [(str(r[1]), r[5]) for r in rows if isinstance(r[0], int | float)]
    assert steps == [(s.indicator, pytest.approx(s.value)) for p in plan.plans for s in p.steps]


def test_a_target_rank_sets_the_plans_goal(province: dict[int, Period]) -> None:
    x = _explained(Client().get("/public/2023/units/so-b/?rank=1"))
    assert x.target_rank == 1 and x.plan.goal_band is None
    leader = Client().get("/public/2023/units/so-a/").context["card"].score
    assert x.plan.goal_score == leader
    for option in x.plan.plans:
        assert option.score >= leader


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_the_pdf_prints_the_explanation(province: dict[int, Period], tmp_path: Path) -> None:
    response = Client().get("/public/2023/units/so-a/scorecard.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.split())  # (table cells wrap their lines)
    assert "Giải trình điểm từng chỉ số" in text
    assert "tỷ lệ = 70 / 100 = 0,7" in text
    assert "số liệu thẩm định; lý do: Minh chứng chỉ chứng minh được 70 máy tính" in text


def _unit_id(code: str) -> int:
    return Unit.objects.get(code=code).pk


def test_the_api_explains_a_published_scorecard_to_anyone(province: dict[int, Period]) -> None:
    period = province[2023]
    response = Client().get(f"/api/v1/periods/{period.pk}/units/{_unit_id('so-a')}/explain")
    assert response.status_code == 200, response.content
    body = response.json()
    card = Client().get(f"/api/v1/periods/{period.pk}/units/{_unit_id('so-a')}/scorecard").json()
    assert body["score"] == card["score"]
    line = next(i for i in body["indicators"] if i["indicator"] == "1.2")
    assert line["rule"] == "ratio" and line["parameters"]["target"] == 0.8
    assert line["step_codes"] == ["explain_fraction", "explain_ratio"]
    assert line["origin"]["verified"] and line["origin"]["verified_by"] == ""
    assert sum(i["points"] for i in body["indicators"] if i["kind"] == "tree") == pytest.approx(
        body["tree_points"]
    )


def test_the_api_refuses_an_unpublished_explanation(province: dict[int, Period]) -> None:
    period = province[2023]
    url = f"/api/v1/periods/{period.pk}/units/{_unit_id('huyen-c')}/explain"
    assert Client().get(url).status_code == 404
    for role, status in (("reporter", 404), ("admin", 200)):
        secret = token_create(actor=None, user=User.objects.get(username=role), name="t").secret
        response = Client().get(url, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == status, role
    assert response.json()["published_only"] is False


def _assessment_id(province: dict[int, Period], year: int, unit: str) -> int:
    return province[year].assessments.get(unit__code=unit).pk


def test_the_units_assessment_page_plans_the_next_band(province: dict[int, Period]) -> None:
    pk = _assessment_id(province, 2024, "so-a")  # approved, not published: the unit's own
    response = client_for("reporter").get(f"/assessments/{pk}/")
    assert response.status_code == 200
    plan = response.context["band_plan"].plan
    assert 'id="band-plan"' in response.content.decode()
    download = client_for("reporter").get(f"/assessments/{pk}/plan.xlsx")
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None
    assert sheet.cell(3, 2).value == plan.score


def test_another_units_plan_is_not_found(province: dict[int, Period]) -> None:
    pk = _assessment_id(province, 2024, "so-b")
    assert client_for("reporter").get(f"/assessments/{pk}/plan.xlsx").status_code == 404
    assert Client().get(f"/assessments/{pk}/plan.xlsx").status_code == 302  # sign in first
