"""A reopening says what it will do before it is done (issue #15): the state it goes back to,
the group's publication that becomes provisional, the unit's new deadline; it needs the reason
and the confirmation, and the transition without them leads to that page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import advance

from dti.web.assessments.models import Assessment, Period, Status
from dti.web.audit.models import AuditEvent


def _as(world: dict[str, Any], who: str) -> Client:
    client = Client()
    client.force_login(world["users"][who])
    return client


def _published(world: dict[str, Any]) -> Assessment:
    # Both units of the group approved, then published together (as the period's publication
    # publishes a group whole).
    for key in ("mine", "theirs"):
        advance(world, world[key], "approved")
    Assessment.objects.filter(pk__in=[world["mine"].pk, world["theirs"].pk]).update(
        status=Status.PUBLISHED
    )
    world["mine"].refresh_from_db()
    return world["mine"]


def test_the_workflow_offers_the_reopening_through_its_confirmation_page(
    world: dict[str, Any],
) -> None:
    mine = advance(world, world["mine"], "approved")
    page = _as(world, "admin").get(reverse("assessment_detail", args=[mine.pk])).content.decode()
    assert reverse("reopen_check", args=[mine.pk, "reopen_to_draft"]) in page
    assert 'name="name" value="reopen_to_draft"' not in page  # no one-click reopening


def test_the_page_says_the_group_s_publication_becomes_provisional(world: dict[str, Any]) -> None:
    mine = _published(world)
    url = reverse("reopen_check", args=[mine.pk, "reopen_to_verification"])
    page = _as(world, "admin").get(url).content.decode()
    assert "Đã công bố" in page and "Đang thẩm tra" in page
    assert "(2/2 đơn vị đã công bố)" in page, page[page.find("effects") :][:1500]
    assert "tạm thời" in page
    assert 'name="confirm"' in page and 'name="reason"' in page


def test_the_page_gives_the_new_deadline_when_the_period_s_has_passed(
    world: dict[str, Any],
) -> None:
    mine = advance(world, world["mine"], "approved")
    Period.objects.filter(pk=mine.period_id).update(
        self_deadline=timezone.now() - dt.timedelta(days=3)
    )
    url = reverse("reopen_check", args=[mine.pk, "reopen_to_draft"])
    page = _as(world, "admin").get(url).content.decode()
    expected = (timezone.localtime() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    assert expected in page


def test_a_reopening_without_the_confirmation_leads_to_the_page_and_changes_nothing(
    world: dict[str, Any],
) -> None:
    mine = advance(world, world["mine"], "approved")
    response = _as(world, "admin").post(
        reverse("assessment_transition", args=[mine.pk]),
        {"name": "reopen_to_draft", "reason": "Sai số liệu"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reopen_check", args=[mine.pk, "reopen_to_draft"])
    mine.refresh_from_db()
    assert mine.status == Status.APPROVED
    assert not AuditEvent.objects.filter(action="transition_reopen_to_draft").exists()


def test_the_confirmed_reopening_is_taken_and_audited_with_its_reason(
    world: dict[str, Any],
) -> None:
    mine = advance(world, world["mine"], "approved")
    response = _as(world, "admin").post(
        reverse("assessment_transition", args=[mine.pk]),
        {"name": "reopen_to_draft", "reason": "Sai số liệu", "confirm": "on"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Status.DRAFT
    assert AuditEvent.objects.filter(reason="Sai số liệu").exists()


def test_only_the_province_s_admin_reaches_the_page(
    world: dict[str, Any], second_province: dict[str, Any]
) -> None:
    mine = advance(world, world["mine"], "approved")
    url = reverse("reopen_check", args=[mine.pk, "reopen_to_draft"])
    assert _as(world, "reporter").get(url).status_code == 403
    assert _as(world, "verifier").get(url).status_code == 403
    other = Client()
    other.force_login(second_province["users"]["admin_b"])
    assert other.get(url).status_code == 404
    assert _as(world, "admin").get(url.replace("reopen_to_draft", "approve")).status_code == 404
