"""Opening a period in the page (issue #13): the form showed every province's groups and
silently left out the groups without a framework (18 of 41 units of a province were included,
with no warning). Now it shows the chosen province's groups only and refuses to leave active
units out unless the admin confirms, listing them."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from tests.web.conftest import member

from dti.web.accounts.models import Role
from dti.web.assessments.models import Period
from dti.web.registry.models import UnitKind
from dti.web.registry.services import group_ensure, province_ensure, unit_create


def _two_provinces() -> dict[str, Any]:
    qn = province_ensure(code="quang-nam", name="Quảng Nam")
    lc = province_ensure(code="lao-cai", name="Lào Cai")
    so = group_ensure(code="so", name="Sở", unit_kind=UnitKind.DEPARTMENT, province=qn)
    huyen = group_ensure(code="huyen", name="Huyện", unit_kind=UnitKind.DISTRICT, province=qn)
    other = group_ensure(code="so", name="Sở (Lào Cai)", unit_kind=UnitKind.DEPARTMENT, province=lc)
    for code, group in (("qn-so-1", so), ("qn-h-1", huyen), ("qn-h-2", huyen), ("lc-so", other)):
        unit_create(actor=None, code=code, name=f"Đơn vị {code}", group=group, check_role=False)
    return {"qn": qn, "lc": lc, "so": so, "huyen": huyen, "other": other}


def _admin(p: dict[str, Any]) -> Client:
    """An admin of Quảng Nam: a period is opened by an admin of its own province."""
    client = Client()
    client.force_login(member("admin-qn", Role.ADMIN, p["qn"]))
    return client


def _post(client: Client, world: dict[str, Any], p: dict[str, Any], **extra: Any) -> Any:
    data = {
        "province": p["qn"].pk,
        "year": 2025,
        "name": "Đánh giá năm 2025",
        "self_deadline": "2026-02-01T17:00",
        "verification_deadline": "2026-03-01T17:00",
        "fw_quang-nam_so": world["framework"].pk,
        **extra,
    }
    return client.post(reverse("period_create"), data)


def test_the_form_shows_only_the_chosen_province_s_groups(world: dict[str, Any]) -> None:
    p = _two_provinces()
    response = _admin(p).get(reverse("period_create"), {"province": p["qn"].pk})
    form = response.context["form"]
    offered = {name for name, field in form.fields.items() if not field.widget.is_hidden}
    assert {"fw_quang-nam_so", "fw_quang-nam_huyen"} <= offered
    assert "fw_lao-cai_so" not in offered


def test_leaving_units_out_is_refused_until_confirmed_and_lists_them(
    world: dict[str, Any],
) -> None:
    p = _two_provinces()
    client = _admin(p)
    response = _post(client, world, p)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert "2" in problems[0]
    assert any("qn-h-1" in line for line in problems) and any("qn-h-2" in line for line in problems)
    assert not any("lc-so" in line for line in problems)  # another province's unit
    assert not Period.objects.filter(year=2025).exists()
    assert not response.context["form"].fields["confirm_left_out"].widget.is_hidden
    response = _post(client, world, p, confirm_left_out="on")
    assert response.status_code == 302
    period = Period.objects.get(year=2025)
    assert sorted(period.assessments.values_list("unit__code", flat=True)) == ["qn-so-1"]


def test_a_period_covering_every_group_opens_at_once(world: dict[str, Any]) -> None:
    p = _two_provinces()
    response = _post(client := _admin(p), world, p, **{"fw_quang-nam_huyen": world["framework"].pk})
    assert response.status_code == 302, response.context and response.context["problems"]
    assert client is not None
    assert Period.objects.get(year=2025).assessments.count() == 3
