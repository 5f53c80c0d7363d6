"""Saving indicator values: engine validation, N/A rules, optimistic locking, audit, scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation
from tests.web.conftest import advance, entry

from dti.web.assessments.models import Verdict
from dti.web.assessments.services import (
    assessment_save_values,
    entry_save_self,
    entry_verify,
    site_visit_note_add,
)
from dti.web.audit.models import AuditEvent
from dti.web.errors import DeadlinePassed, Forbidden, InvalidInput, InvalidState, StaleVersion


def save(world: dict[str, Any], code: str, **kw: Any) -> Any:
    e = entry(world["mine"], code)
    args = {"value": None, "denominator": None, "applicable": True, "version": e.version}
    args.update(kw)
    return entry_save_self(actor=world["users"]["reporter"], entry=e, **args)


def test_saving_rescores_with_the_engine(world: dict[str, Any]) -> None:
    save(world, "1.1", value=1.0)
    save(world, "1.2", value=40.0, denominator=50.0)  # 0.8 reaches the target → 20 points
    mine = world["mine"]
    mine.refresh_from_db()
    assert mine.self_score == 30.0
    assert mine.points["1.2"][0] == 20.0
    assert mine.pillars[0]["points"] == 30.0


def test_two_saves_with_the_same_version_the_second_is_refused(world: dict[str, Any]) -> None:
    e = entry(world["mine"], "1.1")
    reporter = world["users"]["reporter"]
    entry_save_self(
        actor=reporter, entry=e, version=e.version, value=1.0, denominator=None, applicable=True
    )
    with pytest.raises(StaleVersion) as info:
        entry_save_self(
            actor=reporter, entry=e, version=e.version, value=0.0, denominator=None, applicable=True
        )
    assert "1.1" in info.value.message
    e.refresh_from_db()
    assert (e.self_value, e.version) == (1.0, 2)
    assert AuditEvent.objects.filter(action="entry_save_self", field="self_value").count() == 1


def test_every_save_is_audited_with_old_and_new(world: dict[str, Any]) -> None:
    save(world, "1.1", value=1.0, explanation="Có quyết định")
    save(world, "1.1", value=0.0, version=2)
    events = AuditEvent.objects.filter(action="entry_save_self", field="self_value").order_by("id")
    assert [(e.old, e.new) for e in events] == [(None, 1.0), (1.0, 0.0)]
    assert all(e.actor == world["users"]["reporter"] for e in events)
    score = (
        AuditEvent.objects.filter(action="score_recompute", field="self_score")
        .order_by("id")
        .last()
    )
    assert score is not None and (score.old, score.new) == (10.0, 0.0)


@pytest.mark.parametrize(
    ("code", "kw", "fragment"),
    [
        ("1.1", {"value": 2.0}, "must be 1 (done) or 0"),
        ("1.2", {"value": 60.0, "denominator": 50.0}, "exceeds the denominator"),
        ("1.2", {"value": 5.0, "denominator": 0.0}, "must be positive"),
        ("2.2", {"value": 25.0}, "exceed the maximum"),
        ("1.1", {"applicable": False}, "cannot be marked not applicable"),
        ("1.1", {"value": -1.0}, "negative"),
    ],
)
def test_bad_values_are_refused_with_the_engines_reason(
    world: dict[str, Any], code: str, kw: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidInput) as info, translation.override("en"):
        save(world, code, **kw)
    assert any(fragment in p for p in info.value.problems), info.value.problems
    assert entry(world["mine"], code).version == 1


def test_not_applicable_where_the_framework_allows_it(world: dict[str, Any]) -> None:
    saved = save(world, "1.3", value=3.0, applicable=False)
    assert (saved.self_applicable, saved.self_value) == (False, None)
    world["mine"].refresh_from_db()
    assert world["mine"].applicable_max == 80.0  # 100 − 2.3 (districts only) − 1.3


def test_only_the_units_reporter_may_save(world: dict[str, Any]) -> None:
    e = entry(world["mine"], "1.1")
    for role in ("outsider", "verifier", "admin", "leader"):
        with pytest.raises(Forbidden):
            entry_save_self(
                actor=world["users"][role],
                entry=e,
                version=1,
                value=1.0,
                denominator=None,
                applicable=True,
            )


def test_no_self_edit_after_submission_or_deadline(world: dict[str, Any]) -> None:
    late = world["period"].self_deadline + dt.timedelta(seconds=1)
    with pytest.raises(DeadlinePassed):
        save(world, "1.1", value=1.0, now=late)
    advance(world, world["mine"], "submitted")
    with pytest.raises(InvalidState):
        save(world, "1.1", value=1.0)


def test_bulk_save_is_all_or_nothing(world: dict[str, Any]) -> None:
    from dti.web.assessments.services import SelfInput

    with pytest.raises(InvalidInput):
        assessment_save_values(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            rows=[SelfInput("1.1", 1.0, None), SelfInput("2.2", 99.0, None)],
        )
    assert entry(world["mine"], "1.1").self_value is None


def test_verifier_adjusts_with_a_reason_and_both_scores_show(world: dict[str, Any]) -> None:
    save(world, "1.1", value=1.0)
    save(world, "1.2", value=40.0, denominator=50.0)
    mine = advance(world, world["mine"], "under_verification")
    verifier = world["users"]["verifier"]
    e = entry(mine, "1.2")
    with pytest.raises(InvalidInput):
        entry_verify(
            actor=verifier,
            entry=e,
            version=e.version,
            adjust=True,
            value=20.0,
            denominator=50.0,
            reason="  ",
        )
    e = entry_verify(
        actor=verifier,
        entry=e,
        version=e.version,
        adjust=True,
        value=20.0,
        denominator=50.0,
        reason="Chỉ có 20 máy tính được kiểm tra",
    )
    assert e.verdict == Verdict.ADJUSTED
    mine.refresh_from_db()
    assert (mine.self_score, mine.verified_score) == (30.0, 20.0)  # 0.4 / 0.8 × 20 + 10
    event = AuditEvent.objects.get(action="entry_verify", field="verified_value")
    assert (event.old, event.new, event.reason) == (None, 20.0, "Chỉ có 20 máy tính được kiểm tra")
    assert event.actor == verifier
    mine = advance(world, mine, "verified")
    assert entry(mine, "1.1").verdict == Verdict.ACCEPTED  # untouched ones accepted at the end


def test_verifier_cannot_touch_before_verification_starts(world: dict[str, Any]) -> None:
    advance(world, world["mine"], "submitted")
    e = entry(world["mine"], "1.1")
    with pytest.raises(InvalidState):
        entry_verify(actor=world["users"]["verifier"], entry=e, version=1, adjust=False)
    with pytest.raises(Forbidden):
        entry_verify(actor=world["users"]["reporter"], entry=e, version=1, adjust=False)


def test_site_visit_note_is_audited(world: dict[str, Any]) -> None:
    mine = advance(world, world["mine"], "under_verification")
    site_visit_note_add(
        actor=world["users"]["verifier"],
        assessment=mine,
        visited_on=dt.date(2024, 3, 1),
        text="Đã kiểm tra phòng máy chủ",
    )
    event = AuditEvent.objects.get(action="site_visit_note_add")
    assert event.new == "Đã kiểm tra phòng máy chủ"


def test_fetch_save_returns_json_with_the_new_score(world: dict[str, Any], client: Any) -> None:
    from django.urls import reverse

    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.2")
    url = reverse("entry_save", args=[world["mine"].pk, e.pk])
    headers = {"X-Requested-With": "fetch"}
    response = client.post(url, {"version": 1, "value": "40", "denominator": "50"}, headers=headers)
    data = response.json()
    assert (data["ok"], data["version"], data["self_points"]) == (True, 2, 20.0)
    response = client.post(url, {"version": 1, "value": "10", "denominator": "50"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    response = client.post(
        url, {"version": 2, "value": "1,5", "denominator": "1.234,5"}, headers=headers
    )
    assert response.json()["ok"] is True, (
        response.json()
    )  # Vietnamese number formats are understood
    e.refresh_from_db()
    assert (e.self_value, e.self_denominator) == (1.5, 1234.5)
