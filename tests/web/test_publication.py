"""Publication of whole groups (or an explicit provisional one) and the decision's workflow
(dti.web.results.publication), from the service and from the period's page.

In the results fixture's 2024 nothing is published: Sở Giao thông vận tải and Sở Xây dựng are
approved, Sở Tài chính and the districts are drafts, so the group "so" is not wholly approved.
A test that needs it whole approves Sở Tài chính first. The pages and messages are Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from tests.web import results_fixtures

from dti.web.accounts.policy import transitions_for
from dti.web.assessments.models import Assessment, Period, Status
from dti.web.assessments.services import assessment_transition
from dti.web.audit.models import AuditEvent
from dti.web.errors import ConfirmationNeeded, Forbidden, InvalidInput, InvalidState
from dti.web.results.models import Decision, DecisionStatus
from dti.web.results.publication import (
    decision_approve,
    decision_save,
    period_publish,
    publication_plan,
)

province = results_fixtures.province_fixture
client_for = results_fixtures.client_for
DECISION = {
    "issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
    "number": "815/QĐ-UBND",
    "date": dt.date(2025, 6, 5),
    "signer": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A",
}


def user(name: str) -> User:
    return User.objects.get(username=name)


def approved_decision(period: Period) -> Decision:
    decision_save(actor=user("admin"), period=period, **DECISION)
    return decision_approve(actor=user("leader"), period=period)


def make_whole(period: Period) -> None:
    """Sở Tài chính approved too (set directly: its way there is test_workflow's)."""
    Assessment.objects.filter(period=period, unit__code="so-d").update(status=Status.APPROVED)


def statuses(period: Period) -> dict[str, str]:
    return dict(period.assessments.values_list("unit__code", "status"))


# -- the service ------------------------------------------------------------------------------


def test_publication_needs_the_decision_approved(province: dict[int, Period]) -> None:
    period = province[2024]
    with pytest.raises(InvalidState, match="lãnh đạo phê duyệt"):
        period_publish(actor=user("admin"), period=period, confirm=True)
    decision_save(actor=user("admin"), period=period, **DECISION)  # drafted, not approved
    with pytest.raises(InvalidState):
        period_publish(actor=user("admin"), period=period, confirm=True)
    assert statuses(period)["so-a"] == statuses(period)["so-b"] == Status.APPROVED


def test_publishing_an_incomplete_group_is_refused_unless_provisional(
    province: dict[int, Period],
) -> None:
    period = province[2024]
    approved_decision(period)
    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        period_publish(actor=user("admin"), period=period, confirm=True)
    assert "công bố tạm thời" in refused.value.message
    assert any("so-d — Sở Tài chính" in p for p in refused.value.problems)
    assert statuses(period)["so-a"] == Status.APPROVED
    assert not AuditEvent.objects.filter(action="period_publish").exists()


def test_publication_asks_for_confirmation_with_what_it_will_do(
    province: dict[int, Period],
) -> None:
    period = province[2024]
    approved_decision(period)
    with translation.override("vi"), pytest.raises(ConfirmationNeeded) as asked:
        period_publish(actor=user("admin"), period=period, provisional=True)
    (line,) = asked.value.problems
    assert "TẠM THỜI" in line and "2/3" in line and "so-d — Sở Tài chính" in line
    assert statuses(period)["so-a"] == Status.APPROVED  # nothing done before the yes


def test_provisional_publication_is_marked_everywhere(province: dict[int, Period]) -> None:
    period = province[2024]
    approved_decision(period)
    assert period_publish(actor=user("admin"), period=period, provisional=True, confirm=True) == 2
    assert statuses(period)["so-b"] == Status.PUBLISHED
    assert statuses(period)["so-d"] == Status.DRAFT
    event = AuditEvent.objects.get(action="period_publish")
    assert event.actor == user("admin") and event.new["so"]["provisional"] is True

    page = Client().get("/public/2024/").content.decode()
    notice = page.split('id="provisional"', 1)[1].split("</section>", 1)[0]
    assert "Kết quả tạm thời" in notice and "so-d — Sở Tài chính" in notice
    assert "provisional-mark" in page
    card = Client().get("/public/2024/units/so-a/")
    assert card.context["card"].group_size == 3  # ranked in the whole group of 3
    assert "Kết quả tạm thời" in card.content.decode()
    chart = Client().get("/public/2024/charts/totals-so.svg").content.decode()
    assert "TẠM THỜI" in chart
    xlsx = Client().get("/public/2024/appendix.xlsx")
    cells = [
        str(c.value)
        for row in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert any(c.startswith("KẾT QUẢ TẠM THỜI") for c in cells)
    assert any("còn thiếu: so-d — Sở Tài chính" in c for c in cells)
    rankings = Client().get(f"/api/v1/periods/{period.pk}/rankings").json()
    (so,) = rankings
    assert (so["provisional"], so["group_size"], so["published"]) == (True, 3, 2)
    assert so["rows"][0]["provisional"] is True


def test_a_whole_group_is_published_unmarked_with_its_decision(
    province: dict[int, Period],
) -> None:
    period = province[2024]
    approved_decision(period)
    make_whole(period)
    assert period_publish(actor=user("admin"), period=period, confirm=True) == 3
    assert {code: s for code, s in statuses(period).items() if code.startswith("so-")} == {
        "so-a": Status.PUBLISHED,
        "so-b": Status.PUBLISHED,
        "so-d": Status.PUBLISHED,
    }
    decision = Decision.objects.get(period=period)
    assert decision.status == DecisionStatus.PUBLISHED and decision.published_at is not None
    page = Client().get("/public/2024/").content.decode()
    assert 'id="provisional"' not in page and "provisional-mark" not in page
    assert "(Kèm theo Quyết định số 815/QĐ-UBND ngày 05/06/2025)" in page
    assert AuditEvent.objects.filter(action="decision_publish", new="published").exists()


def test_only_the_admin_publishes(province: dict[int, Period]) -> None:
    period = province[2024]
    approved_decision(period)
    for name in ("leader", "verifier", "reporter"):
        with pytest.raises(Forbidden):
            period_publish(actor=user(name), period=period, confirm=True)


def test_one_unit_alone_cannot_be_published_nor_is_it_offered(
    province: dict[int, Period],
) -> None:
    so_a = province[2024].assessments.get(unit__code="so-a")
    now = dt.datetime.now(dt.UTC)
    assert "publish" not in [t.name for t in transitions_for(user("admin"), so_a, now)]
    with pytest.raises(InvalidInput, match="công bố trọn nhóm"):
        assessment_transition(actor=user("admin"), assessment=so_a, name="publish")
    response = client_for("admin").post(f"/assessments/{so_a.pk}/transition/", {"name": "publish"})
    assert response.status_code == 302
    so_a.refresh_from_db()
    assert so_a.status == Status.APPROVED


# -- the decision's workflow --------------------------------------------------------------------


def test_admin_drafts_and_leader_approves_the_decision(province: dict[int, Period]) -> None:
    period = province[2024]
    with pytest.raises(Forbidden):
        decision_save(actor=user("leader"), period=period, **DECISION)
    decision_save(actor=user("admin"), period=period, **DECISION)
    with pytest.raises(Forbidden):
        decision_approve(actor=user("admin"), period=period)
    decision = decision_approve(actor=user("leader"), period=period)
    assert (decision.status, decision.approved_by) == (DecisionStatus.APPROVED, user("leader"))
    event = AuditEvent.objects.get(action="decision_approve")
    assert (event.old, event.new) == ("draft", "approved")
    with pytest.raises(InvalidState):
        decision_approve(actor=user("leader"), period=period)


def test_an_incomplete_decision_cannot_be_approved(province: dict[int, Period]) -> None:
    period = province[2024]
    decision_save(actor=user("admin"), period=period, **{**DECISION, "signer": ""})
    with translation.override("vi"), pytest.raises(InvalidInput, match="người ký"):
        decision_approve(actor=user("leader"), period=period)


def test_changing_an_approved_decision_sends_it_back_to_the_leader(
    province: dict[int, Period],
) -> None:
    period = province[2024]
    approved_decision(period)
    decision = decision_save(actor=user("admin"), period=period, **{**DECISION, "number": "9/QĐ"})
    assert decision.status == DecisionStatus.DRAFT and decision.approved_by is None
    with pytest.raises(InvalidState):
        period_publish(actor=user("admin"), period=period, confirm=True)


def test_decision_page_drafts_approves_and_prints_dates_dd_mm_yyyy(
    province: dict[int, Period],
) -> None:
    period = province[2024]
    url = f"/periods/{period.pk}/decision/"
    data = {**DECISION, "date": "2025-06-05", "action": "save"}
    assert client_for("verifier").get(url).status_code == 403
    assert client_for("leader").post(url, data).status_code == 403
    assert client_for("admin").post(url, data).status_code == 302
    page = client_for("leader").get(url).content.decode()
    assert "ngày 05/06/2025" in page and 'value="approve"' in page
    assert client_for("admin").post(url, {"action": "approve"}).status_code == 403
    assert client_for("leader").post(url, {"action": "approve"}).status_code == 302
    assert Decision.objects.get(period=period).status == DecisionStatus.APPROVED
    # Reached from the period's page.
    detail = client_for("admin").get(f"/periods/{period.pk}/").content.decode()
    assert url in detail and 'id="publication"' in detail


# -- the period's page ----------------------------------------------------------------------------


def test_period_page_publishes_only_after_confirmation(province: dict[int, Period]) -> None:
    period = province[2024]
    approved_decision(period)
    url = f"/periods/{period.pk}/bulk/"
    admin = client_for("admin")
    refused = admin.post(url, {"name": "publish"}, follow=True).content.decode()
    assert "công bố tạm thời" in refused
    asked = admin.post(url, {"name": "publish", "provisional": "1"})
    assert asked.status_code == 200
    body = asked.content.decode()
    assert 'id="confirm"' in body and "TẠM THỜI" in body and 'name="confirm" value="1"' in body
    assert statuses(period)["so-a"] == Status.APPROVED
    done = admin.post(url, {"name": "publish", "provisional": "1", "confirm": "1"})
    assert done.status_code == 302
    assert statuses(period)["so-a"] == Status.PUBLISHED


def test_approve_all_asks_first_with_the_units_it_moves(province: dict[int, Period]) -> None:
    period = province[2023]  # Sở Tài chính is verified
    url = f"/periods/{period.pk}/bulk/"
    asked = client_for("admin").post(url, {"name": "approve"})
    assert asked.status_code == 200
    assert "so-d — Sở Tài chính" in asked.content.decode()
    assert statuses(period)["so-d"] == Status.VERIFIED
    client_for("admin").post(url, {"name": "approve", "confirm": "1"})
    assert statuses(period)["so-d"] == Status.APPROVED


def test_plan_counts_each_group_whole(province: dict[int, Period]) -> None:
    plan = {g.code: g for g in publication_plan(province[2023]).groups}
    assert (plan["so"].total, plan["so"].published, len(plan["so"].ready)) == (3, 2, 0)
    assert plan["so"].missing == ("so-d — Sở Tài chính (Đã thẩm tra)",)
    # The merged districts' 2023 drafts still belong to the period: the group is not whole.
    assert (plan["huyen"].total, plan["huyen"].published, len(plan["huyen"].ready)) == (4, 1, 1)
    assert not plan["huyen"].complete and len(plan["huyen"].missing) == 2
