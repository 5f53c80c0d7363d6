"""Framework upload (engine-validated, problems per node) and units import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from tests.web.conftest import FIXTURES

from dti.web.errors import InvalidInput
from dti.web.frameworks.services import framework_store
from dti.web.registry.models import Lineage, Unit
from dti.web.registry.services import units_import


def test_a_broken_framework_lists_problems_by_node_and_field(world: dict[str, Any]) -> None:
    text = (
        (FIXTURES / "mini.yaml")
        .read_text()
        .replace("max: 20\n        rule: {type: ratio", "max: 25\n        rule: {type: ratio")
    )
    text = text.replace("type: count, per_item: 2", "type: counter, per_item: 2")
    with pytest.raises(InvalidInput) as info, translation.override("en"):
        framework_store(actor=world["users"]["admin"], yaml_text=text, file_name="bad.yaml")
    problems = "\n".join(info.value.problems)
    assert "indicator 1.3" in problems and "unknown rule “counter”" in problems


def test_upload_page_shows_problems(world: dict[str, Any], client: Any) -> None:
    client.force_login(world["users"]["admin"])
    response = client.post(reverse("framework_upload"), {"text": "code: x\nname: {vi: X}\n"})
    assert response.status_code == 200
    # In Vietnamese, the default (English on the English pages: test_problem_texts).
    assert "trường “years”: bắt buộc nhưng chưa có" in response.content.decode()


def test_framework_tree_is_readable(world: dict[str, Any], client: Any) -> None:
    client.force_login(world["users"]["leader"])
    body = client.get(reverse("framework_detail", args=[world["framework"].pk])).content.decode()
    assert "Tỷ lệ máy tính" in body and "Nhập tử số vào Giá trị" in body


def test_units_import_creates_parents_and_lineage(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "unit,name,group,parent,predecessors\n"
        "huyen-c,Huyện Núi Thành,huyen,,\n"
        "huyen-d,Huyện Hiệp Đức,huyen,,\n"
        "huyen-e,Huyện Nông Sơn mới,huyen,,huyen-c;huyen-d\n",
        encoding="utf-8",
    )
    assert units_import(actor=world["users"]["admin"], path=path) == 3
    merged = Unit.objects.get(code="huyen-e")
    assert set(merged.predecessors.values_list("code", flat=True)) == {"huyen-c", "huyen-d"}
    assert not Unit.objects.get(code="huyen-c").active
    assert Lineage.objects.count() == 2


def test_units_import_is_all_or_nothing(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit,name,group\nx-1,Xã Một,xa-khong-co\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        units_import(actor=world["users"]["admin"], path=path)
    assert "dòng 2" in info.value.problems[0]  # the row, named in Vietnamese
    assert not Unit.objects.filter(code="x-1").exists()
