"""A period measured continuously: snapshots score every unit as of a date and keep the
history, a provisional ranking, trends, the schedule, and the year closed from a snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import advance, entry
from tests.web.measured_world import fill

from dti.web.assessments.models import Assessment
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput, InvalidState
from dti.web.snapshots.closing import period_close_from_snapshot
from dti.web.snapshots.models import ContinuousPlan, Rhythm, Snapshot, SnapshotResult, Trigger
from dti.web.snapshots.schedule import snapshot_due
from dti.web.snapshots.services import continuous_set, snapshot_take
from dti.web.snapshots.tasks import snapshots_due_take

DAY = dt.date(2024, 1, 31)


def _results(snapshot: Snapshot) -> dict[str, SnapshotResult]:
    return {r.unit.code: r for r in snapshot.results.select_related("unit")}


def test_a_snapshot_scores_and_ranks_every_unit_on_the_values_that_count(
    measured: dict[str, Any],
) -> None:
    snapshot = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    rows = _results(snapshot)
    assert snapshot.units == 3 and set(rows) == {"so-a", "so-b", "huyen-c"}
    for code in rows:
        stored = Assessment.objects.get(period=measured["period24"], unit__code=code)
        assert rows[code].score == stored.self_score
        assert rows[code].band == stored.self_band
    # so-a (LAN, 80 % computers) ranks above so-b in their group; huyen-c is alone in its.
    assert (rows["so-a"].rank, rows["so-b"].rank, rows["so-a"].group_size) == (1, 2, 2)
    assert (rows["huyen-c"].rank, rows["huyen-c"].group_size) == (1, 1)
    assert rows["so-a"].values["1.2"][:3] == [8.0, 10.0, True]
    assert AuditEvent.objects.filter(action="snapshot_take", object_id=str(snapshot.pk)).exists()


def test_the_history_keeps_each_snapshot_as_taken(measured: dict[str, Any]) -> None:
    first = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    fill(measured["a"], **{"1.1": (0, None)})
    later = snapshot_take(
        actor=measured["admin"], period=measured["period24"], as_of=DAY + dt.timedelta(days=29)
    )
    assert _results(first)["so-a"].values["1.1"][0] == 1.0
    assert _results(later)["so-a"].values["1.1"][0] == 0.0
    assert _results(later)["so-a"].score < _results(first)["so-a"].score


def test_a_second_snapshot_of_the_same_day_is_refused(measured: dict[str, Any]) -> None:
    snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    with pytest.raises(InvalidState):
        snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    assert Snapshot.objects.count() == 1


@pytest.mark.parametrize("who", ["reporter", "verifier", "leader"])
def test_only_the_periods_admin_takes_a_snapshot(measured: dict[str, Any], who: str) -> None:
    with pytest.raises(Forbidden):
        snapshot_take(actor=measured["users"][who], period=measured["period24"], as_of=DAY)
    with pytest.raises(Forbidden):
        continuous_set(actor=measured["users"][who], period=measured["period24"], active=True)
    assert not Snapshot.objects.exists()


def test_another_provinces_admin_cannot_take_one(
    measured: dict[str, Any], second_province: dict[str, Any]
) -> None:
    with pytest.raises(Forbidden):
        snapshot_take(
            actor=second_province["users"]["admin_b"], period=measured["period24"], as_of=DAY
        )


def test_data_quality_warnings_are_kept_with_the_snapshot(measured: dict[str, Any]) -> None:
    fill(
        measured["a"].__class__.objects.get(period=measured["period"], unit__code="so-a"),
        **{"1.3": (1, None)},
    )
    snapshot = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    rows = _results(snapshot)
    # so-b's 8 points are above the plausible 5; so-a went from 1 (2023) to 3: a jump of 200 %.
    assert [w["code"] for w in rows["so-b"].warnings] == ["quality_above_range"]
    assert [w["code"] for w in rows["so-a"].warnings] == ["quality_jump"]
    assert rows["huyen-c"].warnings == []
    assert snapshot.warnings == 2


# -- the schedule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rhythm", "last", "today", "due"),
    [
        (Rhythm.MONTHLY, None, dt.date(2024, 3, 5), True),
        (Rhythm.MONTHLY, dt.date(2024, 3, 1), dt.date(2024, 3, 31), False),
        (Rhythm.MONTHLY, dt.date(2024, 3, 31), dt.date(2024, 4, 1), True),
        (Rhythm.MONTHLY, dt.date(2024, 3, 5), dt.date(2024, 3, 5), False),
        (Rhythm.WEEKLY, dt.date(2024, 3, 1), dt.date(2024, 3, 7), False),
        (Rhythm.WEEKLY, dt.date(2024, 3, 1), dt.date(2024, 3, 8), True),
        (Rhythm.QUARTERLY, dt.date(2024, 1, 2), dt.date(2024, 3, 31), False),
        (Rhythm.QUARTERLY, dt.date(2024, 3, 31), dt.date(2024, 4, 1), True),
    ],
)
def test_a_snapshot_is_due_once_per_rhythm(
    rhythm: Rhythm, last: dt.date | None, today: dt.date, due: bool
) -> None:
    assert snapshot_due(rhythm, last, today) is due


def test_the_schedule_takes_each_due_snapshot_once(measured: dict[str, Any]) -> None:
    continuous_set(actor=measured["admin"], period=measured["period24"], active=True)
    taken = snapshots_due_take()
    assert len(taken) == 1
    snapshot = Snapshot.objects.get(pk=taken[0])
    assert (snapshot.trigger, snapshot.taken_by, snapshot.as_of) == (
        Trigger.SCHEDULE,
        None,
        timezone.localdate(),
    )
    assert snapshots_due_take() == []  # the same day again: nothing due


def test_an_inactive_plan_takes_nothing(measured: dict[str, Any]) -> None:
    continuous_set(actor=measured["admin"], period=measured["period24"], active=False)
    assert snapshots_due_take() == []


# -- closing the year from a snapshot ---------------------------------------------------------


def test_closing_sets_the_drafts_values_from_the_snapshot_and_stops_the_schedule(
    measured: dict[str, Any],
) -> None:
    chosen = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    fill(measured["a"], **{"1.1": (0, None), "1.3": (1, None)})  # changed after the snapshot
    submitted = advance(measured, Assessment.objects.get(pk=measured["b"].pk), "submitted")
    fill_b = entry(submitted, "1.2").self_value
    continuous_set(actor=measured["admin"], period=measured["period24"], active=True)
    report = period_close_from_snapshot(
        actor=measured["admin"], snapshot=chosen, reason="Chốt số liệu cuối năm"
    )
    assert (report.units, report.changed, report.kept) == (2, 2, 1)
    a = Assessment.objects.get(pk=measured["a"].pk)
    assert (entry(a, "1.1").self_value, entry(a, "1.3").self_value) == (1.0, 3.0)
    assert a.self_score == _results(chosen)["so-a"].score
    assert entry(submitted, "1.2").self_value == fill_b  # submitted: kept as submitted
    events = AuditEvent.objects.filter(action="period_close_from_snapshot")
    assert events.filter(field="self_value").count() == 2
    assert all("31/01/2024" in e.reason for e in events.filter(field="self_value"))
    plan = ContinuousPlan.objects.get(period=measured["period24"])
    assert plan.closed_from == chosen and not plan.active
    with pytest.raises(InvalidState):
        snapshot_take(actor=measured["admin"], period=measured["period24"])
    assert snapshots_due_take() == []
    with pytest.raises(InvalidState):
        period_close_from_snapshot(actor=measured["admin"], snapshot=chosen, reason="again")


def test_closing_needs_a_reason_and_the_admin(measured: dict[str, Any]) -> None:
    chosen = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    with pytest.raises(InvalidInput):
        period_close_from_snapshot(actor=measured["admin"], snapshot=chosen, reason=" ")
    with pytest.raises(Forbidden):
        period_close_from_snapshot(
            actor=measured["users"]["leader"], snapshot=chosen, reason="Chốt"
        )
    assert not ContinuousPlan.objects.filter(closed_from__isnull=False).exists()


# -- pages -----------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_snapshots_page_takes_one_now_and_labels_the_ranking_provisional(
    measured: dict[str, Any],
) -> None:
    admin = _client(measured["admin"])
    url = reverse("period_snapshots", args=[measured["period24"].pk])
    response = admin.post(reverse("period_snapshot_take", args=[measured["period24"].pk]))
    assert response.status_code == 302
    snapshot = Snapshot.objects.get()  # the queue ran it in the caller (immediate mode)
    assert snapshot.taken_by == measured["admin"] and snapshot.trigger == Trigger.MANUAL
    page = admin.get(url).content.decode()
    assert "Xếp hạng tạm thời" in page and "tạm thời" in page
    assert "Sở Giao thông vận tải" in page
    again = admin.post(reverse("period_snapshot_take", args=[measured["period24"].pk]))
    assert again.status_code == 302 and Snapshot.objects.count() == 1


def test_staff_read_the_snapshots_but_only_the_admin_acts(measured: dict[str, Any]) -> None:
    snapshot = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    leader = _client(measured["users"]["leader"])
    assert leader.get(reverse("snapshot_detail", args=[snapshot.pk])).status_code == 200
    take = reverse("period_snapshot_take", args=[measured["period24"].pk])
    assert leader.post(take).status_code == 403
    assert leader.get(reverse("snapshot_close", args=[snapshot.pk])).status_code == 403
    reporter = _client(measured["users"]["reporter"])
    assert (
        reporter.get(reverse("period_snapshots", args=[measured["period24"].pk])).status_code == 403
    )


def test_another_provinces_staff_find_no_snapshot(
    measured: dict[str, Any], second_province: dict[str, Any]
) -> None:
    snapshot = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    other = _client(second_province["users"]["admin_b"])
    assert other.get(reverse("snapshot_detail", args=[snapshot.pk])).status_code == 404
    assert other.get(reverse("period_snapshots", args=[measured["period24"].pk])).status_code == 404
    assert (
        other.post(reverse("snapshot_close", args=[snapshot.pk]), {"reason": "x"}).status_code
        == 404
    )
    trend = reverse("assessment_trend", args=[measured["a"].pk])
    assert other.get(trend).status_code == 404


def test_closing_from_the_page_asks_first_then_closes(measured: dict[str, Any]) -> None:
    snapshot = snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    admin = _client(measured["admin"])
    url = reverse("snapshot_close", args=[snapshot.pk])
    confirm = admin.get(url).content.decode()
    assert "31/01/2024" in confirm and "alertdialog" in confirm
    assert not ContinuousPlan.objects.filter(closed_from=snapshot).exists()
    done = admin.post(url, {"reason": "Chốt số liệu"})
    assert done.status_code == 302
    assert ContinuousPlan.objects.get(period=measured["period24"]).closed_from == snapshot


def test_the_units_page_and_its_trend_page_draw_the_trend_over_the_snapshots(
    measured: dict[str, Any],
) -> None:
    snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=DAY)
    fill(measured["a"], **{"1.2": (10, 10)})
    snapshot_take(actor=measured["admin"], period=measured["period24"], as_of=dt.date(2024, 2, 29))
    reporter = _client(measured["users"]["reporter"])
    page = reporter.get(reverse("assessment_detail", args=[measured["a"].pk])).content.decode()
    assert 'id="trend"' in page and "<svg" in page and "29/02/2024" in page
    trend = reporter.get(
        reverse("assessment_trend", args=[measured["a"].pk]), {"indicator": "1.2"}
    ).content.decode()
    assert "Chỉ số 1.2 qua các lần chốt số liệu" in trend
    outsider = _client(measured["users"]["outsider"])
    assert outsider.get(reverse("assessment_trend", args=[measured["a"].pk])).status_code == 404
    reporter.post(reverse("set_language"), {"language": "en"})
    english = reporter.get(
        reverse("assessment_trend", args=[measured["a"].pk]), {"indicator": "1.2"}
    ).content.decode()
    assert "Indicator 1.2 over the snapshots" in english and "<svg" in english
