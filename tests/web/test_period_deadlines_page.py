"""Deadlines changed in pages (issue #13): the period's, and an extension for one unit or a
whole group, each audited with its reason; the extension binds the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import entry

from dti.web.assessments import services
from dti.web.assessments.models import Assessment, Period
from dti.web.audit.models import AuditEvent
from dti.web.errors import DeadlinePassed


def _admin(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["users"]["admin"])
    return client


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_period_s_deadlines_move_with_a_reason(world: dict[str, Any]) -> None:
    period: Period = world["period"]
    new_self = period.self_deadline + dt.timedelta(days=5)
    url = reverse("period_deadlines", args=[period.pk])
    data = {
        "form": "period",
        "self_deadline": _local(new_self),
        "verification_deadline": _local(period.verification_deadline),
    }
    refused = _admin(world).post(url, {**data, "reason": ""})
    assert refused.status_code == 200
    assert Period.objects.get(pk=period.pk).self_deadline == period.self_deadline
    done = _admin(world).post(url, {**data, "reason": "Công văn 12/SKHCN gia hạn"})
    assert done.status_code == 302
    moved = Period.objects.get(pk=period.pk).self_deadline
    assert abs(moved - new_self) < dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(action="period_deadlines", field="self_deadline")
    assert event.reason == "Công văn 12/SKHCN gia hạn"


def test_one_unit_s_extension_lets_it_save_after_the_period_s_deadline(
    world: dict[str, Any],
) -> None:
    period: Period = world["period"]
    past = timezone.now() - dt.timedelta(hours=1)
    Period.objects.filter(pk=period.pk).update(self_deadline=past)
    e = entry(world["mine"], "1.1")
    save = {"entry": e, "value": 1, "denominator": None, "applicable": True}
    with pytest.raises(DeadlinePassed):
        services.entry_save_self(actor=world["users"]["reporter"], version=e.version, **save)
    extended_to = timezone.now() + dt.timedelta(days=3)
    response = _admin(world).post(
        reverse("period_deadlines", args=[period.pk]),
        {
            "form": "extension",
            "unit": world["units"]["a"].pk,
            "deadline": _local(extended_to),
            "reason": "Đơn vị bị lỗi hệ thống",
        },
    )
    assert response.status_code == 302
    mine = Assessment.objects.get(pk=world["mine"].pk)
    assert mine.self_deadline_override is not None
    assert Assessment.objects.get(pk=world["theirs"].pk).self_deadline_override is None
    services.entry_save_self(actor=world["users"]["reporter"], version=e.version, **save)
    event = AuditEvent.objects.get(action="deadline_extend")
    assert event.assessment_id == mine.pk and event.reason == "Đơn vị bị lỗi hệ thống"


def test_a_group_s_extension_reaches_every_unit_of_the_group(world: dict[str, Any]) -> None:
    period: Period = world["period"]
    group = world["units"]["a"].group
    response = _admin(world).post(
        reverse("period_deadlines", args=[period.pk]),
        {
            "form": "extension",
            "group": group.pk,
            "deadline": _local(period.self_deadline + dt.timedelta(days=2)),
            "reason": "Gia hạn cho khối sở",
        },
    )
    assert response.status_code == 302
    extended = Assessment.objects.filter(period=period).exclude(self_deadline_override=None)
    assert sorted(extended.values_list("unit__code", flat=True)) == ["so-a", "so-b"]
    assert AuditEvent.objects.filter(action="deadline_extend").count() == 2


def test_choosing_both_a_unit_and_a_group_is_refused(world: dict[str, Any]) -> None:
    period: Period = world["period"]
    response = _admin(world).post(
        reverse("period_deadlines", args=[period.pk]),
        {
            "form": "extension",
            "unit": world["units"]["a"].pk,
            "group": world["units"]["a"].group.pk,
            "deadline": _local(period.self_deadline),
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["extension"].errors
    assert not AuditEvent.objects.filter(action="deadline_extend").exists()
