"""Rescoring a whole period at once, and correcting the framework a group is scored on."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import FIXTURES, advance

from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.assessments.services import (
    assessment_recompute,
    period_framework_correct,
    period_recompute,
)
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput, InvalidState
from dti.web.frameworks.services import framework_store

MINI = (FIXTURES / "mini.yaml").read_text()


def fill(assessment: Assessment) -> None:
    values = {"1.1": (1, None), "1.2": (6, 10), "1.3": (3, None), "2.1": (0.6, None)}
    for code, (value, denominator) in values.items():
        IndicatorEntry.objects.filter(assessment=assessment, indicator=code).update(
            self_value=value, self_denominator=denominator
        )
    assessment_recompute(assessment=assessment)


def corrected(target: str = "1.0") -> Any:
    """Indicator 1.2 reaches full points at 100 % instead of 80 %: the same leaves."""
    text = MINI.replace("target: 0.8, floor: 0.2", f"target: {target}, floor: 0.2")
    return framework_store(actor=None, yaml_text=text, check_role=False)


def scores() -> dict[str, tuple[float | None, float | None]]:
    return {
        a.unit.code: (a.self_score, a.verified_score)
        for a in Assessment.objects.select_related("unit")
    }


def test_a_period_recompute_matches_one_by_one_recomputes(world: dict[str, Any]) -> None:
    for key in ("mine", "theirs", "district"):
        fill(world[key])
    advance(world, world["mine"], "under_verification")
    expected = scores()
    Assessment.objects.update(self_score=None, verified_score=None, points={}, pillars=[])
    report = period_recompute(actor=world["users"]["admin"], period=world["period"])
    assert report.recomputed == 3 and report.changed == 3 and report.frozen == 0
    assert scores() == expected
    again = Assessment.objects.get(pk=world["mine"].pk)
    one = assessment_recompute(assessment=Assessment.objects.get(pk=world["mine"].pk))
    assert (again.points, again.pillars) == (one.points, one.pillars)


def test_a_framework_correction_rescores_the_group_and_audits_each_move(
    world: dict[str, Any],
) -> None:
    for key in ("mine", "theirs"):
        fill(world[key])
    before = scores()
    report = period_framework_correct(
        actor=world["users"]["admin"],
        period=world["period"],
        group=world["units"]["a"].group,
        version=corrected(),
        reason="Sửa ngưỡng chỉ số 1.2 theo văn bản đính chính",
    )
    after = scores()
    # 1.2: 6/10 was 20 × 0.6/0.8 = 15 points, now 20 × 0.6 = 12.
    assert after["so-a"][0] == pytest.approx(before["so-a"][0] - 3)
    assert report.changed == 2
    moves = AuditEvent.objects.filter(action="score_recompute", field="self_score")
    assert {(e.old, e.new) for e in moves} >= {(before["so-a"][0], after["so-a"][0])}
    assert moves.first().reason.startswith("Sửa ngưỡng")  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="framework_correct").count() == 1
    a = Assessment.objects.get(pk=world["mine"].pk)
    assert a.framework.yaml_text.count("target: 1.0") == 1


def test_a_correction_with_other_indicators_is_refused_and_changes_nothing(
    world: dict[str, Any],
) -> None:
    fill(world["mine"])
    text = MINI.replace('code: "1.3"', 'code: "1.4"').replace("code: test-mini", "code: other")
    other = framework_store(actor=None, yaml_text=text, check_role=False)
    before = scores()
    with pytest.raises(InvalidInput) as caught:
        period_framework_correct(
            actor=world["users"]["admin"],
            period=world["period"],
            group=world["units"]["a"].group,
            version=other,
            reason="x",
        )
    assert any("1.3" in p for p in caught.value.problems)
    assert scores() == before
    assert not AuditEvent.objects.filter(action="framework_correct").exists()


def test_approved_and_published_results_stay_frozen(world: dict[str, Any]) -> None:
    fill(world["mine"])
    advance(world, world["mine"], "published")
    published = scores()["so-a"]
    admin = world["users"]["admin"]
    with pytest.raises(InvalidState):
        period_framework_correct(
            actor=admin,
            period=world["period"],
            group=world["units"]["a"].group,
            version=corrected(),
            reason="x",
        )
    Assessment.objects.filter(pk=world["mine"].pk).update(self_score=1.0)
    report = period_recompute(actor=admin, period=world["period"])
    assert report.frozen == 1 and report.recomputed == 2
    assert scores()["so-a"] == (1.0, published[1])  # not touched


def test_only_an_admin_recomputes(world: dict[str, Any]) -> None:
    for role in ("reporter", "verifier", "leader"):
        with pytest.raises(Forbidden):
            period_recompute(actor=world["users"][role], period=world["period"])


def test_the_command_corrects_and_reports(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    fill(world["mine"])
    version = corrected()
    out = StringIO()
    call_command(
        "dti_recompute",
        period=world["period"].pk,
        user="admin",
        group="so",
        framework=version.pk,
        reason="Đính chính",
        stdout=out,
    )
    assert "rescored 3 assessments" in out.getvalue()
    with pytest.raises(CommandError, match=r"reason|lý do"):
        call_command(
            "dti_recompute",
            period=world["period"].pk,
            user="admin",
            group="so",
            framework=version.pk,
        )
    with pytest.raises(CommandError, match=r"role does not allow|Vai trò của bạn không được phép"):
        call_command("dti_recompute", period=world["period"].pk, user="reporter")


def test_the_command_queues_the_rescoring_for_the_consumer(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    fill(world["mine"])
    Assessment.objects.filter(pk=world["mine"].pk).update(self_score=1.0)  # stale
    out = StringIO()
    # The tests' queue runs in immediate mode: the task has run when the command returns.
    call_command(
        "dti_recompute", period=world["period"].pk, user="admin", background=True, stdout=out
    )
    assert "queued the rescoring" in out.getvalue()
    assert scores()["so-a"][0] != 1.0
    with pytest.raises(CommandError, match=r"role does not allow|Vai trò của bạn"):
        call_command("dti_recompute", period=world["period"].pk, user="reporter", background=True)
