"""The clarification round (asked, answered before the deadline, settled by the verdict), the
explicit "accept the rest as declared", and the unit's dispute decided by the chair — each
audited, each refused to whoever may not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.web.conftest import PASSWORD, advance, entry

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments.models import Clarification, EntryDispute
from dti.web.assessments.services import (
    Question,
    assessment_transition,
    clarification_answer,
    clarifications_ask,
    dispute_decide,
    dispute_file,
    entry_save_self,
    entry_verify,
    verification_chair_name,
)
from dti.web.assessments.services.verification_notices import (
    NoticeKind,
    VerificationNotice,
    forget_verification_listener,
    on_verification_notice,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.errors import (
    ConfirmationNeeded,
    DeadlinePassed,
    Forbidden,
    InvalidInput,
    InvalidState,
)


def _fill(world: dict[str, Any]) -> None:
    reporter = world["users"]["reporter"]
    for code, value, denominator in (("1.1", 1.0, None), ("1.2", 40.0, 50.0), ("2.2", 15.0, None)):
        e = entry(world["mine"], code)
        entry_save_self(
            actor=reporter,
            entry=e,
            version=e.version,
            value=value,
            denominator=denominator,
            applicable=True,
        )


@pytest.fixture
def open_verification(world: dict[str, Any]) -> Any:
    _fill(world)
    return advance(world, world["mine"], "under_verification")


def _ask(world: dict[str, Any], code: str, days: int = 3) -> Clarification:
    mine = world["mine"]
    return clarifications_ask(
        actor=world["users"]["verifier"],
        assessment=mine,
        questions=[Question(entry(mine, code), "evidence_missing", "Thiếu quyết định phê duyệt")],
        reply_by=timezone.now() + dt.timedelta(days=days),
    )[0]


def test_a_full_clarification_round_is_audited_and_settled_by_the_verdict(
    world: dict[str, Any], open_verification: Any, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[VerificationNotice] = []
    on_verification_notice(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            question = _ask(world, "1.2")
        with django_capture_on_commit_callbacks(execute=True):
            answered = clarification_answer(
                actor=world["users"]["reporter"],
                clarification=question,
                text="Số máy đạt chuẩn là 35",
                value=35.0,
                denominator=50.0,
                url="https://example.gov.vn/qd-12.pdf",
            )
    finally:
        forget_verification_listener(heard.append)
    assert [n.kind for n in heard] == [
        NoticeKind.CLARIFICATION_ASKED,
        NoticeKind.CLARIFICATION_ANSWERED,
    ]
    assert heard[0].indicators == ("1.2",)
    assert answered.state == "answered"
    assert answered.answer_evidence.get().url == "https://example.gov.vn/qd-12.pdf"
    e = entry(world["mine"], "1.2")
    assert (e.self_value, e.self_denominator) == (40.0, 50.0)  # the declared value stays
    verified = entry_verify(
        actor=world["users"]["verifier"],
        entry=e,
        version=e.version,
        adjust=True,
        value=35.0,
        denominator=50.0,
        reason="Theo giải trình",
    )
    assert verified.verified_value == 35.0
    question.refresh_from_db()
    assert question.state == "closed"
    actions = list(
        AuditEvent.objects.filter(object_type="assessments.clarification").values_list(
            "action", flat=True
        )
    )
    assert AuditAction.CLARIFICATION_ASK in actions
    assert AuditAction.CLARIFICATION_ANSWER in actions
    assert AuditAction.CLARIFICATION_CLOSE in actions


def test_only_the_units_reporter_answers_and_only_before_the_reply_deadline(
    world: dict[str, Any], open_verification: Any
) -> None:
    question = _ask(world, "1.1")
    for role in ("outsider", "verifier", "admin", "leader"):
        with pytest.raises(Forbidden):
            clarification_answer(actor=world["users"][role], clarification=question, text="x")
    with pytest.raises(InvalidInput):
        clarification_answer(actor=world["users"]["reporter"], clarification=question)
    late = question.reply_by + dt.timedelta(minutes=1)
    with pytest.raises(DeadlinePassed):
        clarification_answer(
            actor=world["users"]["reporter"], clarification=question, text="x", now=late
        )
    clarification_answer(
        actor=world["users"]["reporter"], clarification=question, text="Đã bổ sung"
    )
    with pytest.raises(InvalidState):
        clarification_answer(actor=world["users"]["reporter"], clarification=question, text="2")


def test_only_a_verifier_asks_with_a_reason_and_a_deadline_in_time(
    world: dict[str, Any], open_verification: Any
) -> None:
    mine = world["mine"]
    e = entry(mine, "1.1")
    soon = timezone.now() + dt.timedelta(days=2)
    for role in ("reporter", "admin", "leader"):
        with pytest.raises(Forbidden):
            clarifications_ask(
                actor=world["users"][role],
                assessment=mine,
                questions=[Question(e, "other", "?")],
                reply_by=soon,
            )
    with pytest.raises(InvalidInput) as refused:
        clarifications_ask(
            actor=world["users"]["verifier"],
            assessment=mine,
            questions=[Question(e, "nonsense", " ")],
            reply_by=mine.period.verification_deadline + dt.timedelta(days=1),
        )
    assert len(refused.value.problems) == 3
    assert not Clarification.objects.exists()


def test_finishing_with_indicators_unchecked_needs_the_explicit_choice_recorded(
    world: dict[str, Any], open_verification: Any
) -> None:
    mine = world["mine"]
    verifier = world["users"]["verifier"]
    entry_verify(actor=verifier, entry=entry(mine, "1.1"), version=2, adjust=False)
    with pytest.raises(ConfirmationNeeded) as asked:
        assessment_transition(actor=verifier, assessment=mine, name="finish_verification")
    assert "1.1" not in asked.value.problems
    assert "1.2" in asked.value.problems
    mine.refresh_from_db()
    assert mine.status == "under_verification"
    done = assessment_transition(
        actor=verifier, assessment=mine, name="finish_verification", accept_rest=True
    )
    assert done.status == "verified"
    choice = AuditEvent.objects.get(action=AuditAction.VERIFICATION_ACCEPT_REST)
    assert choice.actor == verifier
    assert "1.2" in choice.new and "1.1" not in choice.new


def test_the_page_asks_for_the_choice_before_finishing(
    world: dict[str, Any], open_verification: Any
) -> None:
    client = Client()
    client.force_login(world["users"]["verifier"])
    mine = world["mine"]
    page = client.get(f"/assessments/{mine.pk}/").content.decode()
    assert 'name="accept_rest"' in page
    refused = client.post(
        f"/assessments/{mine.pk}/transition/", {"name": "finish_verification"}, follow=True
    )
    assert "1.2" in refused.content.decode()
    mine.refresh_from_db()
    assert mine.status == "under_verification"
    client.post(
        f"/assessments/{mine.pk}/transition/", {"name": "finish_verification", "accept_rest": "on"}
    )
    mine.refresh_from_db()
    assert mine.status == "verified"


@pytest.fixture
def adjusted(world: dict[str, Any], open_verification: Any) -> Any:
    """1.2 adjusted from 40/50 to 20/50, verification finished, a chair named."""
    mine = world["mine"]
    verifier = world["users"]["verifier"]
    e = entry(mine, "1.2")
    entry_verify(
        actor=verifier,
        entry=e,
        version=e.version,
        adjust=True,
        value=20.0,
        denominator=50.0,
        reason="Chỉ 20 máy đạt",
    )
    chair = user_create(
        actor=None, username="chair", password=PASSWORD, role=Role.VERIFIER, check_role=False
    )
    assessment_transition(
        actor=verifier, assessment=mine, name="finish_verification", accept_rest=True
    )
    # Named after finishing: the chair's sign-off is tested in test_verification_assignments.
    verification_chair_name(actor=world["users"]["admin"], period=world["period"], chair=chair)
    mine.refresh_from_db()
    return chair


def test_a_dispute_granted_by_the_chair_makes_the_units_value_count(
    world: dict[str, Any], adjusted: Any
) -> None:
    mine = world["mine"]
    before = mine.verified_score
    dispute = dispute_file(
        actor=world["users"]["reporter"],
        entry=entry(mine, "1.2"),
        reasons="Biên bản kiểm kê ghi 40 máy đạt chuẩn",
        value=40.0,
        denominator=50.0,
    )
    with pytest.raises(InvalidState):  # approval waits for the decision
        assessment_transition(actor=world["users"]["admin"], assessment=mine, name="approve")
    with pytest.raises(InvalidState):  # once
        dispute_file(
            actor=world["users"]["reporter"], entry=entry(mine, "1.2"), reasons="x", value=41.0
        )
    for who in ("verifier", "admin", "reporter"):
        with pytest.raises(Forbidden):
            dispute_decide(actor=world["users"][who], dispute=dispute, grant=True, reason="x")
    decided = dispute_decide(actor=adjusted, dispute=dispute, grant=True, reason="Đúng biên bản")
    assert decided.decision == "granted"
    e = entry(mine, "1.2")
    # Side by side: declared 40, verified 20 (kept on the dispute), disputed 40, final 40.
    assert (e.self_value, decided.verified_value, decided.proposed_value, e.verified_value) == (
        40.0,
        20.0,
        40.0,
        40.0,
    )
    mine.refresh_from_db()
    assert mine.verified_score is not None and before is not None
    assert mine.verified_score > before
    assert AuditEvent.objects.filter(action=AuditAction.DISPUTE_FILE).count() == 1
    fields = set(
        AuditEvent.objects.filter(action=AuditAction.DISPUTE_DECIDE).values_list("field", flat=True)
    )
    assert {"decision", "verified_value"} <= fields
    approved = assessment_transition(actor=world["users"]["admin"], assessment=mine, name="approve")
    assert approved.status == "approved"


def test_a_rejected_dispute_leaves_the_adjustment(world: dict[str, Any], adjusted: Any) -> None:
    mine = world["mine"]
    dispute = dispute_file(
        actor=world["users"]["reporter"],
        entry=entry(mine, "1.2"),
        reasons="Không đồng ý",
        value=40.0,
        denominator=50.0,
    )
    score = mine.verified_score
    dispute_decide(actor=adjusted, dispute=dispute, grant=False, reason="Không có minh chứng")
    assert entry(mine, "1.2").verified_value == 20.0
    mine.refresh_from_db()
    assert mine.verified_score == score
    with pytest.raises(InvalidState):
        dispute_decide(actor=adjusted, dispute=dispute, grant=True, reason="đổi ý")


def test_only_an_adjusted_indicator_is_disputed_by_its_units_reporter(
    world: dict[str, Any], adjusted: Any
) -> None:
    mine = world["mine"]
    with pytest.raises(InvalidState):
        dispute_file(
            actor=world["users"]["reporter"], entry=entry(mine, "1.1"), reasons="x", value=1.0
        )
    with pytest.raises(Forbidden):
        dispute_file(
            actor=world["users"]["outsider"], entry=entry(mine, "1.2"), reasons="x", value=40.0
        )
    assert not EntryDispute.objects.exists()


def test_the_page_shows_declared_verified_disputed_final_side_by_side(
    world: dict[str, Any], adjusted: Any
) -> None:
    mine = world["mine"]
    reporter = Client()
    reporter.force_login(world["users"]["reporter"])
    e = entry(mine, "1.2")
    assert f"/entries/{e.pk}/dispute/" in reporter.get(f"/assessments/{mine.pk}/").content.decode()
    reporter.post(
        f"/assessments/{mine.pk}/entries/{e.pk}/dispute/",
        {"reasons": "Biên bản kiểm kê", "value": "40", "denominator": "50"},
    )
    dispute = EntryDispute.objects.get()
    chair = Client()
    chair.force_login(adjusted)
    page = chair.get(f"/assessments/{mine.pk}/").content.decode()
    assert f"/disputes/{dispute.pk}/decide/" in page
    assert 'data-side="disputed"' in page
    outsider = Client()
    outsider.force_login(world["users"]["verifier"])
    refused = outsider.post(
        f"/assessments/{mine.pk}/disputes/{dispute.pk}/decide/",
        {"decision": "grant", "reason": "x"},
    )
    assert refused.status_code == 403


def test_the_clarification_round_reaches_the_inbox_of_whom_it_concerns(
    world: dict[str, Any], open_verification: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from dti.web.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(world, "1.2")
    asked = Notification.objects.filter(kind="clarification_asked")
    assert {n.user for n in asked} == {world["users"]["reporter"]}
    with django_capture_on_commit_callbacks(execute=True):
        clarification_answer(
            actor=world["users"]["reporter"], clarification=question, text="Đã bổ sung"
        )
    answered = Notification.objects.filter(kind="clarification_answered")
    assert {n.user for n in answered} == {world["users"]["verifier"]}
