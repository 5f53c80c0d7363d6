"""A new province makes its comparison groups in a page, from the stored frameworks' groups
(the units import and the period form need them), audited, within its own province."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.conftest import PASSWORD

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput
from dti.web.registry.models import UnitGroup, UnitKind
from dti.web.registry.services import province_ensure
from dti.web.registry.services.groups import group_add


@pytest.fixture
def new_province(world: dict[str, Any]) -> dict[str, Any]:
    province = province_ensure(code="quang-tri", name="Quảng Trị")
    admin = user_create(
        actor=None,
        username="admin-qt",
        password=PASSWORD,
        role=Role.ADMIN,
        province=province,
        check_role=False,
    )
    return {"province": province, "admin": admin}


def test_a_province_admin_adds_a_group_from_a_frameworks_groups(
    world: dict[str, Any], new_province: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(new_province["admin"])
    page = client.get(reverse("group_list")).content.decode()
    assert "huyen" in page and "so" in page  # the mini framework's groups are offered
    response = client.post(
        reverse("group_list"), {"code": "so", "name": "", "unit_kind": "department", "order": 0}
    )
    assert response.status_code == 302
    group = UnitGroup.objects.get(province=new_province["province"], code="so")
    assert group.unit_kind == UnitKind.DEPARTMENT and group.name
    event = AuditEvent.objects.get(action="group_add")
    assert event.actor == new_province["admin"]


def test_a_code_no_framework_has_and_a_second_group_of_a_code_are_refused(
    world: dict[str, Any], new_province: dict[str, Any]
) -> None:
    admin, province = new_province["admin"], new_province["province"]
    with pytest.raises(InvalidInput, match="xa"):
        group_add(actor=admin, province=province, code="xa", unit_kind=UnitKind.COMMUNE)
    group_add(actor=admin, province=province, code="so", unit_kind=UnitKind.DEPARTMENT)
    with pytest.raises(InvalidInput):
        group_add(actor=admin, province=province, code="so", unit_kind=UnitKind.DEPARTMENT)
    assert UnitGroup.objects.filter(province=province).count() == 1


def test_only_the_provinces_admin_adds_its_groups(
    world: dict[str, Any], new_province: dict[str, Any]
) -> None:
    province = new_province["province"]
    for role in ("reporter", "verifier", "leader"):
        with pytest.raises(Forbidden):
            group_add(
                actor=world["users"][role],
                province=province,
                code="so",
                unit_kind=UnitKind.DEPARTMENT,
            )
        client = Client()
        client.force_login(world["users"][role])
        assert client.get(reverse("group_list")).status_code == 403
    other = user_create(
        actor=None,
        username="admin-hue",
        password=PASSWORD,
        role=Role.ADMIN,
        province=province_ensure(code="hue", name="Huế"),
        check_role=False,
    )
    with pytest.raises(Forbidden):
        group_add(actor=other, province=province, code="so", unit_kind=UnitKind.DEPARTMENT)
    assert not UnitGroup.objects.filter(province=province).exists()
