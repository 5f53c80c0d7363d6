"""The audit pages read as officials read: labels for actions and fields, the indicator's code
and name, values in Vietnamese format, filters, every page of events, an Excel export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from tests.web.conftest import entry
from tests.web.english_detector import english_words, visible_text

from dti.web.assessments.services import assessment_transition, entry_save_self
from dti.web.audit.actions import AuditAction
from dti.web.audit.labels import ACTION_LABELS, value_text
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import audit_record


def _admin(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["users"]["admin"])
    return client


def _page(client: Client, url: str, **params: Any) -> str:
    """The page's visible text, with the codes (in <code>) kept."""
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode().replace("<code>", "").replace("</code>", "")
    return visible_text(html)


@pytest.mark.parametrize("action", list(AuditAction))
def test_every_action_has_a_vietnamese_label(action: AuditAction) -> None:
    with translation.override("en"):
        english = str(ACTION_LABELS[action])
    with translation.override("vi"):
        vietnamese = str(ACTION_LABELS[action])
    assert vietnamese != english and not english_words(vietnamese)


def _saved(world: dict[str, Any], value: float = 1234.5) -> None:
    e = entry(world["mine"], "1.3")
    entry_save_self(
        actor=world["users"]["reporter"],
        entry=e,
        version=e.version,
        value=value,
        denominator=None,
        applicable=True,
    )


def test_an_entry_event_shows_the_indicator_its_field_and_a_vietnamese_number(
    world: dict[str, Any],
) -> None:
    _saved(world)
    assessment_transition(actor=world["users"]["reporter"], assessment=world["mine"], name="submit")
    page = _page(_admin(world), reverse("audit_list"))
    assert "1.3 Điểm cầu truyền hình" in page
    assert "Lưu giá trị tự đánh giá" in page and "Giá trị" in page and "1.234,5" in page
    assert "Đã gửi" in page
    for code in ("transition_submit", "self_value", "entry_save_self", "{'"):
        assert code not in page
    history = _page(_admin(world), reverse("assessment_history", args=[world["mine"].pk]))
    assert "1.3 Điểm cầu truyền hình" in history and "self_value" not in history


def test_a_value_that_is_a_mapping_reads_as_labelled_fields() -> None:
    with translation.override("vi"):
        shown = value_text({"predecessor": "xa-a", "successor": "xa-b", "weight": 0.6})
    assert shown == "Đơn vị tiền thân: xa-a; Đơn vị kế thừa: xa-b; Trọng số: 0,6"


def test_a_role_is_named_only_where_the_field_is_a_role() -> None:
    with translation.override("vi"):
        shown = value_text({"username": "admin", "role": "admin", "year": 2024})
    assert shown == "Tên đăng nhập: admin; Vai trò: Quản trị viên; Năm: 2024"


def test_a_unit_history_has_no_raw_dicts_or_field_names(world: dict[str, Any]) -> None:
    unit = world["units"]["a"]
    audit_record(
        actor=world["users"]["admin"],
        action=AuditAction.UNIT_MERGE,
        obj=unit,
        field="predecessors",
        new={"predecessor": "so-b", "successor": unit.code, "weight": None},
    )
    page = _page(_admin(world), reverse("unit_detail", args=[unit.pk]))
    assert "Hợp nhất đơn vị" in page and "Đơn vị tiền thân: so-b" in page
    assert "{" not in page and "unit_merge" not in page


def _many(world: dict[str, Any], n: int) -> None:
    unit = world["units"]["c"]
    for i in range(n):
        audit_record(
            actor=world["users"]["admin"],
            action=AuditAction.UNIT_UPDATE,
            obj=unit,
            field="name",
            old=f"Tên {i}",
            new=f"Tên {i + 1}",
        )


def test_every_event_is_reachable_page_by_page(world: dict[str, Any]) -> None:
    _many(world, 350)
    total = AuditEvent.objects.count()
    assert total > 350
    client = _admin(world)
    seen = 0
    page = 1
    while True:
        response = client.get(reverse("audit_list"), {"page": page})
        seen += len(response.context["rows"])
        if not response.context["page"].has_next():
            break
        page += 1
    assert seen == total and page > 3


def test_filters_select_by_action_user_unit_period_and_date(world: dict[str, Any]) -> None:
    _many(world, 3)
    _saved(world)
    client = _admin(world)
    url = reverse("audit_list")

    def rows(**params: Any) -> list[Any]:
        response = client.get(url, {**params, "page": 1})
        return list(response.context["page"].paginator.object_list)

    updates = rows(action=AuditAction.UNIT_UPDATE.value)
    assert len(updates) == 3 and {e.action for e in updates} == {"unit_update"}
    by_reporter = rows(user=world["users"]["reporter"].pk)
    assert by_reporter and {e.actor_name for e in by_reporter} == {"reporter"}
    unit_c = world["units"]["c"]
    of_unit_c = rows(unit=unit_c.pk)
    # (each is about unit c: the unit itself, or its assessment)
    assert of_unit_c and all(
        (e.object_type == "registry.unit" and e.object_id == str(unit_c.pk))
        or (e.assessment is not None and e.assessment.unit_id == unit_c.pk)
        for e in of_unit_c
    )
    assert any(e.object_type == "registry.unit" for e in of_unit_c)
    of_unit_a = rows(unit=world["units"]["a"].pk)
    assert any(e.action == "entry_save_self" for e in of_unit_a)
    of_period = rows(period=world["period"].pk)
    assert any(e.action == "entry_save_self" for e in of_period)
    assert not any(e.action == "unit_update" for e in of_period)
    yesterday = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    assert rows(date_to=yesterday) == []
    assert len(rows(date_from=yesterday)) == AuditEvent.objects.count()


def test_the_export_holds_the_filtered_rows_as_text(world: dict[str, Any]) -> None:
    _many(world, 2)
    unit = world["units"]["c"]
    audit_record(
        actor=world["users"]["admin"],
        action=AuditAction.UNIT_END,
        obj=unit,
        new="2025-06-30",
        reason='=HYPERLINK("http://x","y")',
    )
    response = _admin(world).get(reverse("audit_export"), {"unit": unit.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The unit's own events and its assessment's, nothing of another unit.
    own = AuditEvent.objects.filter(object_type="registry.unit", object_id=str(unit.pk))
    of_assessment = AuditEvent.objects.filter(assessment__unit=unit)
    assert len(rows) == own.count() + of_assessment.count() < AuditEvent.objects.count()
    ended = next(r for r in rows if r[2] == "Đơn vị ngừng hoạt động")
    assert ended[8] == "30/06/2025"
    assert ended[9] == '\'=HYPERLINK("http://x","y")'  # text, not a formula
    assert sheet.cell(row=2, column=10).data_type == "s"


@pytest.mark.parametrize("role", ["reporter", "outsider", "verifier", "leader"])
def test_only_the_admin_reads_the_audit_log(world: dict[str, Any], role: str) -> None:
    client = Client()
    client.force_login(world["users"][role])
    assert client.get(reverse("audit_list")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403
