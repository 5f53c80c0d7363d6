"""Opening a period from the form where one installation holds several provinces."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.web.conftest import member

from dti.web.accounts.models import Role
from dti.web.assessments.models import Assessment, Period
from dti.web.registry.models import UnitKind
from dti.web.registry.services import group_ensure, province_ensure, unit_create


@pytest.fixture
def two_provinces(world: dict[str, Any]) -> dict[str, Any]:
    made = {}
    for code, name, unit in (("qn", "Quảng Nam", "Xã Tam Anh"), ("tn", "Tây Ninh", "Xã Hòa Hội")):
        province = province_ensure(code=code, name=name)
        group = group_ensure(
            code="huyen", name="Cấp xã", unit_kind=UnitKind.DISTRICT, province=province
        )
        unit_create(actor=None, code=f"{code}-xa", name=unit, group=group, check_role=False)
        made[code] = province
    return made


def _admin_of(province: Any) -> Client:
    client = Client()
    client.force_login(member(f"admin-{province.code}", Role.ADMIN, province))
    return client


def post(client: Client, **fields: Any) -> Any:
    data = {
        "year": 2025,
        "name": "Đánh giá năm 2025",
        "self_deadline": "2099-03-31T17:00",
        "verification_deadline": "2099-05-31T17:00",
        **fields,
    }
    return client.post("/periods/new/", data)


def test_the_form_offers_only_the_admin_s_own_province_and_its_groups(
    world: dict[str, Any], two_provinces: dict[str, Any]
) -> None:
    page = _admin_of(two_provinces["tn"]).get("/periods/new/").content.decode()
    for name in ('name="province"', 'name="fw_tn_huyen"', "Tây Ninh"):
        assert name in page, name
    for name in ("fw_qn_huyen", "Quảng Nam"):
        assert name not in page, name


def test_a_period_opens_for_the_admin_s_province_and_its_units_only(
    world: dict[str, Any], two_provinces: dict[str, Any]
) -> None:
    tn = two_provinces["tn"]
    response = post(_admin_of(tn), province=tn.pk, fw_tn_huyen=world["framework"].pk)
    assert response.status_code == 302
    period = Period.objects.get(year=2025)
    assert period.province == tn
    units = set(Assessment.objects.filter(period=period).values_list("unit__code", flat=True))
    assert units == {"tn-xa"}


def test_another_province_or_its_group_is_refused_and_nothing_opens(
    world: dict[str, Any], two_provinces: dict[str, Any]
) -> None:
    qn, tn = two_provinces["qn"], two_provinces["tn"]
    client = _admin_of(tn)
    response = post(client, province=qn.pk, fw_qn_huyen=world["framework"].pk)
    assert response.status_code == 200
    assert response.context["form"].errors["province"]
    response = post(client, province=tn.pk, fw_qn_huyen=world["framework"].pk)
    assert response.status_code == 200  # the other province's group is no field of the form
    assert not Period.objects.filter(year=2025).exists()
