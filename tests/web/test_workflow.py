"""Every transition × state × role, allowed and refused, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.web.conftest import advance

from dti.web.assessments.models import Assessment, Status
from dti.web.assessments.services import assessment_transition, period_transition_all
from dti.web.assessments.workflow import TRANSITIONS
from dti.web.audit.models import AuditEvent
from dti.web.errors import DeadlinePassed, Forbidden, InvalidInput, InvalidState

ROLES = ("admin", "reporter", "outsider", "verifier", "leader")
STATES = [s.value for s in Status]
# Who may fire each transition on unit A's assessment (the reporter is unit A's).
ALLOWED_ROLE = {
    "submit": {"reporter"},
    "start_verification": {"verifier"},
    "finish_verification": {"verifier"},
    "approve": {"admin"},
    "publish": {"admin"},
    "reopen_to_draft": {"admin"},
    "reopen_to_verification": {"admin"},
    "withdraw": {"reporter"},
}


def _put_in(assessment: Assessment, status: str) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


@pytest.mark.parametrize("name", list(TRANSITIONS))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_transition_matrix(world: dict[str, Any], name: str, state: str, role: str) -> None:
    transition = TRANSITIONS[name]
    assessment = _put_in(world["mine"], state)
    user = world["users"][role]
    kwargs: dict[str, Any] = {"reason": "Bổ sung minh chứng"} if transition.needs_reason else {}
    if transition.accepts_pending:
        kwargs["accept_rest"] = True  # the verifier's explicit choice (see test_verification_*)
    allowed_role = role in ALLOWED_ROLE[name]
    allowed_state = Status(state) in transition.sources
    if not allowed_role:
        with pytest.raises(Forbidden):
            assessment_transition(actor=user, assessment=assessment, name=name, **kwargs)
    elif not allowed_state:
        with pytest.raises(InvalidState):
            assessment_transition(actor=user, assessment=assessment, name=name, **kwargs)
    else:
        if transition.whole_group:
            # One unit alone is refused: a group is published whole (tests/web/test_publication.py).
            with pytest.raises(InvalidInput):
                assessment_transition(actor=user, assessment=assessment, name=name, **kwargs)
            kwargs["within_group"] = True
        result = assessment_transition(actor=user, assessment=assessment, name=name, **kwargs)
        assert result.status == transition.target
        event = AuditEvent.objects.filter(action=f"transition_{name}").get()
        assert (event.actor, event.old, event.new) == (user, state, transition.target)
        assert event.reason == kwargs.get("reason", "")
        return
    assessment.refresh_from_db()
    assert assessment.status == state
    assert not AuditEvent.objects.filter(action=f"transition_{name}").exists()


def test_the_whole_cycle_and_a_reopening(world: dict[str, Any]) -> None:
    a = advance(world, world["mine"], "published")
    assert a.published_at is not None and a.verified_score is not None
    admin = world["users"]["admin"]
    with pytest.raises(InvalidInput):
        assessment_transition(actor=admin, assessment=a, name="reopen_to_draft", reason=" ")
    a = assessment_transition(
        actor=admin, assessment=a, name="reopen_to_draft", reason="Đơn vị khiếu nại"
    )
    assert (a.status, a.reopen_count, a.published_at) == (Status.DRAFT, 1, None)


def test_reopening_after_the_deadline_gives_the_unit_a_new_one(world: dict[str, Any]) -> None:
    a = advance(world, world["mine"], "verified")
    late = world["period"].self_deadline + dt.timedelta(days=3)
    a = assessment_transition(
        actor=world["users"]["admin"],
        assessment=a,
        name="reopen_to_draft",
        reason="Sai số liệu",
        now=late,
    )
    assert a.self_deadline_override is not None and a.self_deadline_override > late
    a = assessment_transition(
        actor=world["users"]["reporter"], assessment=a, name="submit", now=late
    )
    assert a.status == Status.SUBMITTED


def test_submit_after_the_deadline_is_refused(world: dict[str, Any]) -> None:
    late = world["period"].self_deadline + dt.timedelta(minutes=1)
    with pytest.raises(DeadlinePassed):
        assessment_transition(
            actor=world["users"]["reporter"], assessment=world["mine"], name="submit", now=late
        )


def test_verification_after_its_deadline_is_refused(world: dict[str, Any]) -> None:
    a = advance(world, world["mine"], "submitted")
    late = world["period"].verification_deadline + dt.timedelta(minutes=1)
    with pytest.raises(DeadlinePassed):
        assessment_transition(
            actor=world["users"]["verifier"], assessment=a, name="start_verification", now=late
        )


def test_bulk_approve_touches_only_verified(world: dict[str, Any]) -> None:
    advance(world, world["mine"], "verified")
    advance(world, world["theirs"], "submitted")
    count = period_transition_all(
        actor=world["users"]["admin"], period=world["period"], name="approve"
    )
    assert count == 1
    statuses = dict(world["period"].assessments.values_list("unit__code", "status"))
    assert statuses == {"so-a": "approved", "so-b": "submitted", "huyen-c": "draft"}
