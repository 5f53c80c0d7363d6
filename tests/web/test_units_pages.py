"""The pages that change units (issue #13): each shows what will be recorded — lineage and
audit entries — before anything is saved, saves on confirmation with the reason in the audit
trail, and is refused to anyone but an administrator of the unit's province."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.audit.models import AuditEvent
from dti.web.registry.models import Lineage, LineageKind, Unit, UnitGroup, UnitKind
from dti.web.registry.services import group_ensure, province_ensure, unit_create

BASIS = "1656/NQ-UBTVQH15"


@pytest.fixture
def commune(world: dict[str, Any]) -> dict[str, Any]:
    province = province_ensure(code="quang-nam", name="Quảng Nam")
    group = group_ensure(code="xa", name="Xã", unit_kind=UnitKind.COMMUNE, province=province)
    units = {
        code: unit_create(actor=None, code=code, name=name, group=group, check_role=False)
        for code, name in (("qn-a", "Xã Tam An"), ("qn-b", "Xã Tam Thành"), ("qn-c", "Xã C"))
    }
    admin = user_create(
        actor=None,
        username="qn-admin",
        password="x",
        role=Role.ADMIN,
        province=province,
        check_role=False,
    )
    return {"province": province, "group": group, "units": units, "admin": admin}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(unit: Unit, action: str) -> str:
    return reverse(f"unit_{action}", args=[unit.pk])


MERGE = {"code": "qn-ab", "name": "Xã Tam An mới", "date": "2025-07-01", "basis": BASIS}


def test_the_merge_page_previews_the_lineage_and_saves_nothing(commune: dict[str, Any]) -> None:
    a, b = commune["units"]["qn-a"], commune["units"]["qn-b"]
    events = AuditEvent.objects.count()
    response = _client(commune["admin"]).post(_url(a, "merge"), {**MERGE, "others": [b.pk]})
    assert response.status_code == 200, response.content.decode()[-500:]
    preview = response.context["preview"]
    assert {(e.predecessor, e.successor, e.kind_label) for e in preview.edges} == {
        ("qn-a — Xã Tam An", "qn-ab — Xã Tam An mới", "Sáp nhập"),
        ("qn-b — Xã Tam Thành", "qn-ab — Xã Tam An mới", "Sáp nhập"),
    }
    assert "Xác nhận và lưu" in response.content.decode()
    assert not Unit.objects.filter(code="qn-ab").exists()
    assert Lineage.objects.count() == 0 and AuditEvent.objects.count() == events
    a.refresh_from_db()
    assert a.active and a.valid_to is None


def test_the_merge_is_saved_on_confirmation(commune: dict[str, Any]) -> None:
    a, b = commune["units"]["qn-a"], commune["units"]["qn-b"]
    data = {**MERGE, "others": [b.pk], "confirm": "1"}
    response = _client(commune["admin"]).post(_url(a, "merge"), data)
    assert response.status_code == 302
    new = Unit.objects.get(code="qn-ab")
    assert set(new.predecessors.values_list("code", flat=True)) == {"qn-a", "qn-b"}
    a.refresh_from_db()
    assert (a.valid_to, a.active) == (dt.date(2025, 6, 30), False)
    event = AuditEvent.objects.filter(action="unit_merge").first()
    assert event is not None and event.actor == commune["admin"]


def test_a_refused_merge_says_why_and_keeps_what_was_typed(commune: dict[str, Any]) -> None:
    a = commune["units"]["qn-a"]
    data = {**MERGE, "code": "qn-b", "others": [commune["units"]["qn-c"].pk]}
    response = _client(commune["admin"]).post(_url(a, "merge"), data)
    assert response.status_code == 200
    assert response.context["problems"] or response.context["form"].errors
    assert 'value="Xã Tam An mới"' in response.content.decode()


def test_the_merge_page_lets_one_merged_unit_go_on_under_its_code(
    commune: dict[str, Any],
) -> None:
    """As TP. Đà Nẵng took Quảng Nam in (Nghị quyết 202/2025/QH15): the merge page's "unit that
    goes on" records an absorption, previewed first, and forms no new unit."""
    a, b = commune["units"]["qn-a"], commune["units"]["qn-b"]
    data = {"others": [b.pk], "continuing": a.pk, "date": "2025-07-01", "basis": BASIS}
    client = _client(commune["admin"])
    units = Unit.objects.count()
    preview = client.post(_url(a, "merge"), data)
    assert preview.status_code == 200, preview.content.decode()[-500:]
    assert {
        (e.predecessor, e.successor, e.kind_label) for e in preview.context["preview"].edges
    } == {("qn-b — Xã Tam Thành", "qn-a — Xã Tam An", "Sáp nhập vào đơn vị giữ tên")}
    assert Lineage.objects.count() == 0
    response = client.post(_url(a, "merge"), {**data, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "unit_detail", args=[a.pk]
    )
    assert list(Lineage.objects.values_list("predecessor__code", "successor__code", "kind")) == [
        ("qn-b", "qn-a", LineageKind.ABSORB)
    ]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.active and a.valid_to is None
    assert (b.active, b.valid_to) == (False, dt.date(2025, 6, 30))
    assert Unit.objects.count() == units  # no new unit


def test_the_unit_that_goes_on_is_one_of_the_merged(commune: dict[str, Any]) -> None:
    a, b, c = (commune["units"][k] for k in ("qn-a", "qn-b", "qn-c"))
    data = {"others": [b.pk], "continuing": c.pk, "date": "2025-07-01", "basis": BASIS}
    response = _client(commune["admin"]).post(_url(a, "merge"), data)
    assert response.status_code == 200
    assert "continuing" in response.context["form"].errors
    assert response.context["preview"] is None and Lineage.objects.count() == 0


def test_a_merge_without_a_unit_that_goes_on_needs_the_new_unit_s_code_and_name(
    commune: dict[str, Any],
) -> None:
    a, b = commune["units"]["qn-a"], commune["units"]["qn-b"]
    data = {"others": [b.pk], "date": "2025-07-01", "basis": BASIS}
    response = _client(commune["admin"]).post(_url(a, "merge"), data)
    form = response.context["form"]
    assert {"code", "name"} <= set(form.errors)
    assert Lineage.objects.count() == 0


def test_the_split_page_creates_the_successors_with_their_shares(commune: dict[str, Any]) -> None:
    a = commune["units"]["qn-a"]
    data = {
        "successors": "qn-a1; Xã A1; 0,6\nqn-a2; Xã A2; 0,4",
        "date": "2025-07-01",
        "basis": BASIS,
    }
    preview = _client(commune["admin"]).post(_url(a, "split"), data).context["preview"]
    assert sorted((e.successor, e.weight) for e in preview.edges) == [
        ("qn-a1 — Xã A1", 0.6),
        ("qn-a2 — Xã A2", 0.4),
    ]
    assert not Unit.objects.filter(code="qn-a1").exists()
    _client(commune["admin"]).post(_url(a, "split"), {**data, "confirm": "1"})
    assert set(Lineage.objects.values_list("kind", flat=True)) == {LineageKind.SPLIT}
    assert Unit.objects.get(code="qn-a2").valid_from == dt.date(2025, 7, 1)


def test_rename_end_edit_and_transfer_are_audited_with_their_reason(
    commune: dict[str, Any],
) -> None:
    a, b, c = (commune["units"][k] for k in ("qn-a", "qn-b", "qn-c"))
    client = _client(commune["admin"])
    rename = {"code": "qn-a-moi", "name": "Phường Tam An", "date": "2025-07-01", "basis": BASIS}
    assert client.post(_url(a, "rename"), {**rename, "confirm": "1"}).status_code == 302
    assert Lineage.objects.get(predecessor=a).kind == LineageKind.RENAME
    end = {"last_day": "2025-06-30", "basis": BASIS, "confirm": "1"}
    assert client.post(_url(b, "end"), end).status_code == 302
    b.refresh_from_db()
    assert (b.valid_to, b.active) == (dt.date(2025, 6, 30), False)
    assert AuditEvent.objects.filter(action="unit_end", reason=BASIS).exists()
    edit = {"name": "Xã C mới", "active": "on", "reason": "sai chính tả", "confirm": "1"}
    assert client.post(_url(c, "edit"), edit).status_code == 302
    assert AuditEvent.objects.get(action="unit_update", field="name").reason == "sai chính tả"
    other = group_ensure(
        code="phuong", name="Phường", unit_kind=UnitKind.COMMUNE, province=commune["province"]
    )
    move = {"group": other.pk, "parent": "", "reason": "Quyết định 5/QĐ", "confirm": "1"}
    assert client.post(_url(c, "transfer"), move).status_code == 302
    c.refresh_from_db()
    assert c.group == other
    moved = AuditEvent.objects.get(action="unit_update", field="group")
    assert (moved.old, moved.new, moved.reason) == ("xa", "phuong", "Quyết định 5/QĐ")


def test_the_add_page_offers_only_the_own_province_s_groups(commune: dict[str, Any]) -> None:
    client = _client(commune["admin"])
    form = client.get(reverse("unit_add")).context["form"]
    assert list(form.fields["group"].queryset) == [commune["group"]]
    data = {"code": "qn-d", "name": "Xã D", "group": commune["group"].pk, "basis": BASIS}
    assert client.post(reverse("unit_add"), {**data, "confirm": "1"}).status_code == 302
    assert Unit.objects.get(code="qn-d").group == commune["group"]
    assert AuditEvent.objects.filter(action="unit_create", object_label="Xã D").exists()


@pytest.mark.parametrize("action", ["edit", "end", "rename", "merge", "split", "transfer"])
def test_an_admin_of_another_province_cannot_change_the_unit(
    commune: dict[str, Any], action: str
) -> None:
    other = province_ensure(code="lao-cai", name="Lào Cai")
    stranger = user_create(
        actor=None,
        username="lc-admin",
        password="x",
        role=Role.ADMIN,
        province=other,
        check_role=False,
    )
    unit = commune["units"]["qn-a"]
    assert _client(stranger).get(_url(unit, action)).status_code == 403
    response = _client(stranger).post(_url(unit, action), {**MERGE, "confirm": "1"})
    assert response.status_code == 403
    assert Lineage.objects.count() == 0


@pytest.mark.parametrize("who", ["reporter", "verifier", "leader"])
def test_only_an_admin_opens_the_change_pages(
    world: dict[str, Any], commune: dict[str, Any], who: str
) -> None:
    unit = commune["units"]["qn-a"]
    assert _client(world["users"][who]).get(_url(unit, "merge")).status_code == 403
    assert _client(world["users"][who]).get(reverse("unit_add")).status_code == 403


def test_an_admin_of_another_level_neither_sees_nor_changes_a_province_s_units(
    world: dict[str, Any], commune: dict[str, Any]
) -> None:
    """The one scope rule: the national level's admin is not a province's."""
    unit = commune["units"]["qn-a"]
    assert _client(world["users"]["admin"]).get(_url(unit, "end")).status_code in (403, 404)
    detail = _client(world["users"]["admin"]).get(reverse("unit_detail", args=[unit.pk]))
    assert detail.status_code == 404
    assert UnitGroup.objects.filter(province=commune["province"]).count() == 1


def test_the_merge_page_has_no_english_in_vietnamese(commune: dict[str, Any]) -> None:
    from tests.web.english_detector import english_words, visible_text

    a, b = commune["units"]["qn-a"], commune["units"]["qn-b"]
    data = {"others": [b.pk], "continuing": a.pk, "date": "2025-07-01", "basis": BASIS}
    for response in (
        _client(commune["admin"]).get(_url(a, "merge")),
        _client(commune["admin"]).post(_url(a, "merge"), data),
    ):
        assert english_words(visible_text(response.content.decode())) == []
