"""A second province beside the world's (whose accounts and units have none): its admin,
its unit and that unit's reporter, to prove that an admin manages only their own province."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def other_province(world: dict[str, Any]) -> dict[str, Any]:
    from tests.web.conftest import PASSWORD

    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.registry.models import Province, UnitKind
    from dti.web.registry.services import group_ensure, unit_create

    province = Province.objects.create(code="da-nang", name="Đà Nẵng")
    group = group_ensure(
        code="so", name="Sở", unit_kind=UnitKind.DEPARTMENT, order=0, province=province
    )
    unit = unit_create(
        actor=None, code="dn-so-tttt", name="Sở TT&TT Đà Nẵng", group=group, check_role=False
    )
    admin = user_create(
        actor=None,
        username="admin-dn",
        password=PASSWORD,
        role=Role.ADMIN,
        province=province,
        check_role=False,
    )
    reporter = user_create(
        actor=None,
        username="reporter-dn",
        password=PASSWORD,
        role=Role.REPORTER,
        unit=unit,
        check_role=False,
    )
    return {"province": province, "unit": unit, "admin": admin, "reporter": reporter}
