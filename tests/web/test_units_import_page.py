"""The units import page (issue #13): it failed every row ("unknown group 'co_tthc' (known: )")
because the view never passed a province, so no group was known."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.web.conftest import member

from dti.web.accounts.models import Role
from dti.web.registry.models import Lineage, Unit, UnitKind
from dti.web.registry.services import group_ensure, province_ensure

UNITS = (
    "unit,name,group,parent,predecessors\n"
    "qn-a,Xã Tam An,xa,,\n"
    "qn-b,Xã Tam Thành,xa,,\n"
    "qn-ab,Xã Tam An mới,xa,,qn-a;qn-b\n"
)


def _admin(province: Any) -> Client:
    """An admin of the province: units are imported by an admin of their own province."""
    client = Client()
    client.force_login(member("admin-qn", Role.ADMIN, province))
    return client


def _province() -> Any:
    province = province_ensure(code="quang-nam", name="Quảng Nam")
    group_ensure(code="xa", name="Xã", unit_kind=UnitKind.COMMUNE, province=province)
    return province


def test_the_page_imports_a_province_s_units_with_lineage(world: dict[str, Any]) -> None:
    province = _province()
    response = _admin(province).post(
        reverse("unit_import"),
        {"province": province.pk, "file": SimpleUploadedFile("units.csv", UNITS.encode())},
    )
    assert response.status_code == 302, response.content.decode()[-800:]
    merged = Unit.objects.get(code="qn-ab")
    assert merged.group.province == province
    assert set(merged.predecessors.values_list("code", flat=True)) == {"qn-a", "qn-b"}
    assert Lineage.objects.filter(successor=merged).count() == 2


def test_an_unknown_group_is_named_with_the_province_s_groups(
    world: dict[str, Any],
) -> None:
    province = _province()
    text = UNITS.replace(",xa,", ",co_tthc,", 1)
    response = _admin(province).post(
        reverse("unit_import"),
        {"province": province.pk, "file": SimpleUploadedFile("units.csv", text.encode())},
    )
    assert response.status_code == 200
    problems = " ".join(response.context["problems"])
    assert "row 2, column group: unknown group 'co_tthc'" in problems, problems
    assert "province quang-nam: xa" in problems
    assert "Tệp danh sách đơn vị có lỗi; chưa có gì được ghi." in problems
    assert not Unit.objects.filter(code__startswith="qn-").exists()
