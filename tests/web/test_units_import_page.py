"""The units import page (issue #13): it failed every row ("unknown group 'co_tthc' (known: )")
because the view never passed a province, so no group was known."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.web.conftest import member

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.audit.models import AuditEvent
from dti.web.registry.models import Lineage, LineageKind, Unit, UnitKind
from dti.web.registry.services import group_ensure, province_ensure, unit_create

UNITS = (
    "unit,name,group,parent,predecessors\n"
    "qn-a,Xã Tam An,xa,,\n"
    "qn-b,Xã Tam Thành,xa,,\n"
    "qn-ab,Xã Tam An mới,xa,,qn-a;qn-b\n"
)


def _admin(province: Any) -> Client:
    """An admin of the province: units are imported by an admin of their own province."""
    from django.contrib.auth.models import User

    client = Client()
    user = User.objects.filter(username="admin-qn").first()
    client.force_login(user or member("admin-qn", Role.ADMIN, province))
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
    assert "trang tính units.csv, dòng 2, cột group: không có nhóm 'co_tthc'" in problems, problems
    assert "(các nhóm của Quảng Nam: xa)" in problems
    assert "Tệp danh sách đơn vị có lỗi; chưa có gì được ghi." in problems
    assert not Unit.objects.filter(code__startswith="qn-").exists()


def _post(client: Client, province: Any, text: str) -> Any:
    return client.post(
        reverse("unit_import"),
        {"province": province.pk, "file": SimpleUploadedFile("units.csv", text.encode())},
    )


def test_a_predecessor_without_a_code_is_a_located_problem_not_a_crash(
    world: dict[str, Any],
) -> None:
    """It raised KeyError: the reader skipped the empty code, the import looked it up."""
    province = _province()
    text = UNITS.replace("qn-a;qn-b", "qn-a;:0.5")
    response = _post(_admin(province), province, text)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert "trang tính units.csv, dòng 4, cột predecessors: có đơn vị tiền thân không ghi mã" in (
        problems
    ), problems
    assert not Unit.objects.filter(code__startswith="qn-").exists()


def test_an_unknown_predecessor_and_a_bad_weight_are_named_in_vietnamese(
    world: dict[str, Any],
) -> None:
    province = _province()
    text = UNITS.replace("qn-a;qn-b", '"qn-a:0,6;qn-x:abc"')
    problems = _post(_admin(province), province, text).context["problems"]
    assert (
        "trang tính units.csv, dòng 4, cột predecessors: đơn vị tiền thân 'qn-x' của 'qn-ab' "
        "không có trong tệp cũng như trong danh sách đơn vị"
    ) in problems, problems
    assert any("tỷ trọng 'abc' của 'qn-x' không phải là số dương" in p for p in problems)
    assert not any("0,6" in p for p in problems)  # a decimal comma is a number


def test_a_predecessor_already_in_the_registry_may_be_named(world: dict[str, Any]) -> None:
    province = _province()
    group = province.groups.get(code="xa")
    unit_create(actor=None, code="qn-old", name="Xã cũ", group=group, check_role=False)
    text = "unit,name,group,predecessors,valid_from\nqn-new,Xã mới,xa,qn-old,01/07/2025\n"
    assert _post(_admin(province), province, text).status_code == 302
    old = Unit.objects.get(code="qn-old")
    assert (str(old.valid_to), old.active) == ("2025-06-30", False)
    edge = Lineage.objects.get(predecessor=old)
    assert (edge.kind, edge.successor.code) == (LineageKind.RENAME, "qn-new")


def test_a_commune_split_between_merges_is_recorded_as_split_and_merge(
    world: dict[str, Any],
) -> None:
    province = _province()
    text = (
        "unit,name,group,predecessors\n"
        "qn-a,A,xa,\nqn-b,B,xa,\nqn-c,C,xa,\n"
        "qn-x,X,xa,qn-a:0.5;qn-b\nqn-y,Y,xa,qn-a:0.5;qn-c\n"
    )
    assert _post(_admin(province), province, text).status_code == 302
    kinds = dict(Lineage.objects.values_list("predecessor__code", "kind"))
    assert kinds == {
        "qn-a": LineageKind.SPLIT_MERGE,
        "qn-b": LineageKind.MERGE,
        "qn-c": LineageKind.MERGE,
    }
    assert AuditEvent.objects.filter(action="unit_split_merge").count() == 2


def _chain(n: int) -> str:
    """``n`` merges of two communes each: 3n units, 2n edges."""
    rows = ["unit,name,group,predecessors"]
    for i in range(n):
        rows += [f"qn-{i}a,A{i},xa,", f"qn-{i}b,B{i},xa,", f"qn-{i}m,M{i},xa,qn-{i}a;qn-{i}b"]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("n", [3])
def test_the_registry_is_checked_once_however_many_edges(world: dict[str, Any], n: int) -> None:
    """The queries do not grow with the edges (each edge reloaded the registry)."""
    province = _province()
    counts = []
    for size, prefix in ((n, "s"), (n * 10, "l")):
        text = _chain(size).replace("qn-", f"qn{prefix}-")
        with CaptureQueriesContext(connection) as queries:
            assert _post(_admin(province), province, text).status_code == 302
        counts.append(len(queries))
    assert Lineage.objects.count() == 2 * n + 20 * n
    assert counts[1] <= counts[0] + 2, counts


def test_a_province_admin_imports_into_the_own_province_only(world: dict[str, Any]) -> None:
    own, other = _province(), province_ensure(code="lao-cai", name="Lào Cai")
    group_ensure(code="xa", name="Xã", unit_kind=UnitKind.COMMUNE, province=other)
    admin = user_create(
        actor=None,
        username="qn-admin",
        password="x",
        role=Role.ADMIN,
        province=own,
        check_role=False,
    )
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("unit_import"))
    assert list(page.context["form"].fields["province"].queryset) == [own]
    response = _post(client, other, UNITS)
    assert response.status_code == 200  # the other province is not a choice
    assert "province" in response.context["form"].errors
    assert not Unit.objects.filter(code__startswith="qn-").exists()
    assert _post(client, own, UNITS).status_code == 302


def test_a_unit_of_another_province_is_not_updated_by_an_import(world: dict[str, Any]) -> None:
    province = _province()
    other = province_ensure(code="lao-cai", name="Lào Cai")
    group = group_ensure(code="xa", name="Xã", unit_kind=UnitKind.COMMUNE, province=other)
    unit_create(actor=None, code="qn-a", name="Xã của Lào Cai", group=group, check_role=False)
    problems = _post(_admin(province), province, UNITS).context["problems"]
    assert "trang tính units.csv, dòng 2, cột unit: đơn vị 'qn-a' thuộc Lào Cai" in problems
    assert Unit.objects.get(code="qn-a").name == "Xã của Lào Cai"


def test_the_progress_page_is_the_starter_s_own(world: dict[str, Any]) -> None:
    from dti.web.registry.services.units_import_jobs import UnitsImportJob, _save

    _save(UnitsImportJob(id="job-1", user_id=world["users"]["admin"].pk, step="Đang ghi"))
    admin = Client()
    admin.force_login(world["users"]["admin"])
    page = admin.get(reverse("unit_import_progress", args=["job-1"]))
    assert page.status_code == 200 and "Đang ghi" in page.content.decode()
    other = user_create(
        actor=None, username="admin2", password="x", role=Role.ADMIN, check_role=False
    )
    client = Client()
    client.force_login(other)
    assert client.get(reverse("unit_import_progress", args=["job-1"])).status_code == 404


def test_an_english_admin_reads_the_import_s_problems_in_english(world: dict[str, Any]) -> None:
    province = _province()
    client = _admin(province)
    client.cookies["django_language"] = "en"
    response = _post(client, province, UNITS.replace(",xa,", ",co_tthc,", 1))
    assert response.status_code == 200
    problems = " ".join(response.context["problems"])
    assert "co_tthc" in problems
    assert "nhóm" not in problems and "dòng" not in problems, problems


@pytest.mark.parametrize(
    ("predecessors", "lineage"),
    [
        pytest.param("", "date,kind,from,to\n2025-07-01,absorb,qn-qnam,qn-dn\n", id="absorb row"),
        pytest.param("qn-dn;qn-qnam", None, id="predecessors naming itself"),
        pytest.param(
            "",
            "date,kind,from,to\n2025-07-01,merge,qn-dn,qn-dn\n2025-07-01,merge,qn-qnam,qn-dn\n",
            id="merge row naming itself",
        ),
    ],
)
def test_a_continuing_unit_is_imported_as_an_absorption(
    world: dict[str, Any], predecessors: str, lineage: str | None
) -> None:
    """TP. Đà Nẵng took Quảng Nam in and kept its code (Nghị quyết 202/2025/QH15); the three
    ways a file may say so are stored alike: Quảng Nam absorbed, Đà Nẵng going on."""
    province = _province()
    text = (
        "unit,name,group,valid_from,valid_to,predecessors\n"
        "qn-qnam,Quảng Nam,xa,,2025-06-30,\n"
        f"qn-dn,TP. Đà Nẵng,xa,,,{predecessors}\n"
    )
    files = {"file": SimpleUploadedFile("units.csv", text.encode())}
    if lineage is not None:
        files["lineage"] = SimpleUploadedFile("lineage.csv", lineage.encode())
    response = _admin(province).post(reverse("unit_import"), {"province": province.pk, **files})
    assert response.status_code == 302, response.content.decode()[-800:]
    assert list(Lineage.objects.values_list("predecessor__code", "successor__code", "kind")) == [
        ("qn-qnam", "qn-dn", LineageKind.ABSORB)
    ]
    city = Unit.objects.get(code="qn-dn")
    assert (city.active, city.valid_from, city.valid_to) == (True, None, None)
    assert AuditEvent.objects.filter(action="unit_absorb").count() == 1
