"""Open data (dti.web.results.open_data): each published period as CSV and JSON with a
Frictionless Data package, at stable public URLs listed on the public page; nothing
unpublished ever in it, and a provisional publication marked in every row and the package."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest
from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Period
from dti.web.results.open_data import FILES

province = results_fixtures.province_fixture
BASE = "/public/open-data/{province}/{year}/"
UNPUBLISHED = ("so-d", "huyen-c", "Sở Tài chính", "Huyện Núi Thành")


def folder(period: Period) -> str:
    return BASE.format(
        province=period.province.code if period.province else "national", year=period.year
    )


def fetch(period: Period, name: str) -> bytes:
    response = Client().get(folder(period) + name)
    assert response.status_code == 200, name
    return response.content


def test_files_are_listed_on_the_public_page(province: dict[int, Period]) -> None:
    page = Client().get("/public/2023/").content.decode()
    for name in FILES:
        assert f'href="{folder(province[2023])}{name}"' in page
    assert "/api/v1/docs" in page


def test_package_validates_with_frictionless(province: dict[int, Period], tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / name).write_bytes(fetch(province[2023], name))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    fields = {f["name"]: f["type"] for f in package["resources"][0]["schema"]["fields"]}
    assert fields["score"] == "number" and fields["rank"] == "integer"
    assert fields["provisional"] == "boolean"


def test_only_published_units_and_the_provisional_groups_marked(
    province: dict[int, Period],
) -> None:
    rows = list(csv.DictReader(io.StringIO(fetch(province[2023], "results.csv").decode())))
    assert {r["unit"] for r in rows} == {"so-a", "so-b", "huyen-m"}
    so = [r for r in rows if r["group"] == "so"]
    assert {(r["provisional"], r["group_size"], r["group_published"]) for r in so} == {
        ("true", "3", "2")
    }
    as_json = json.loads(fetch(province[2023], "results.json"))
    assert [r["unit"] for r in as_json] == [r["unit"] for r in rows]
    assert all(r["provisional"] is True for r in as_json if r["group"] == "so")
    pillars = fetch(province[2023], "pillars.csv").decode()
    package = json.loads(fetch(province[2023], "datapackage.json"))
    assert package["provisional"] is True
    assert package["missing"]["so"] == ["so-d — Sở Tài chính"]
    data = fetch(province[2023], "results.csv").decode() + json.dumps(as_json) + pillars
    for name in UNPUBLISHED:
        assert name not in data


def test_scores_keep_the_published_precision(province: dict[int, Period]) -> None:
    rows = csv.DictReader(io.StringIO(fetch(province[2023], "results.csv").decode()))
    scores = [r["score"] for r in rows]
    assert all(len(s.split(".")[1]) <= 2 for s in scores if "." in s)


@pytest.mark.parametrize("name", FILES)
def test_an_unpublished_period_has_no_open_data(province: dict[int, Period], name: str) -> None:
    period = province[2024]
    assert Client().get(folder(period) + name).status_code == 404
    assert Client().get(folder(province[2023]) + "secrets.csv").status_code == 404


def test_the_decision_is_in_the_package_once_published(province: dict[int, Period]) -> None:
    from dti.web.results.models import Decision, DecisionStatus

    period = province[2023]
    assert "decision" not in json.loads(fetch(period, "datapackage.json"))
    Decision.objects.create(
        period=period, number="684/QĐ-UBND", signer="Chủ tịch", status=DecisionStatus.PUBLISHED
    )
    package = json.loads(fetch(period, "datapackage.json"))
    assert package["decision"]["number"] == "684/QĐ-UBND"
