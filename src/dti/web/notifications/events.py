"""The workflow's events as notifications (registered on the workflow's hooks in .apps)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from dti.web.accounts.policy import period_admins, unit_reporters
from dti.web.assessments.models import Assessment, Clarification, Period, Status
from dti.web.assessments.services.verification_notices import NoticeKind, VerificationNotice
from dti.web.assessments.workflow import Transition, TransitionName, self_deadline
from dti.web.notifications.kinds import Kind
from dti.web.notifications.services import notify

T = TransitionName
# Who hears of a transition: the unit's reporters, and for a submission the period's admins.
_ON_TRANSITION: dict[TransitionName, tuple[Kind, bool]] = {
    T.SUBMIT: (Kind.SUBMISSION_RECEIVED, True),
    T.FINISH_VERIFICATION: (Kind.VERIFICATION_FINISHED, False),
    T.PUBLISH: (Kind.RESULTS_PUBLISHED, False),
}


def assessment_params(assessment: Assessment) -> dict[str, str]:
    return {
        "unit": assessment.unit.name,
        "period": assessment.period.name,
        # The day as the province reads it (Asia/Ho_Chi_Minh), not UTC's.
        "deadline": timezone.localdate(self_deadline(assessment)).isoformat(),
    }


def assessment_link(assessment: Assessment) -> str:
    return reverse("assessment_detail", args=[assessment.pk])


def transition_taken(assessment: Assessment, transition: Transition, old: Status) -> None:
    known = _ON_TRANSITION.get(transition.name)
    if known is None:
        return
    kind, admins_too = known
    users: list[User] = unit_reporters([assessment.unit_id])[assessment.unit_id]
    if admins_too:
        users += period_admins(assessment.period)
    notify(
        users=users,
        kind=kind,
        params=assessment_params(assessment),
        link=assessment_link(assessment),
    )


def period_opened(period: Period) -> None:
    """Each unit's reporters are told, with their unit's own deadline."""
    assessments = list(period.assessments.select_related("unit", "period").order_by("pk"))
    reporters = unit_reporters([a.unit_id for a in assessments])
    for assessment in assessments:
        if reporters[assessment.unit_id]:
            notify(
                users=reporters[assessment.unit_id],
                kind=Kind.PERIOD_OPENED,
                params=assessment_params(assessment),
                link=assessment_link(assessment),
            )


def verification_noticed(notice: VerificationNotice) -> None:
    """The clarification round told to whom it concerns: a question to the unit's reporters,
    an answer to the verifiers who asked (after the action committed: see
    :func:`~dti.web.assessments.services.verification_notices.verification_notify`)."""
    kind = _ON_NOTICE.get(notice.kind)
    if kind is None:
        return  # (disputes: the chair and the unit see them on the assessment's page)
    assessment = Assessment.objects.select_related("unit", "period").get(pk=notice.assessment_id)
    if kind == Kind.CLARIFICATION_ASKED:
        users = unit_reporters([assessment.unit_id])[assessment.unit_id]
    else:
        askers = Clarification.objects.filter(pk__in=notice.object_ids).values("asked_by_id")
        users = list(User.objects.filter(pk__in=askers, is_active=True))
    if users:
        notify(
            users=users,
            kind=kind,
            params={**assessment_params(assessment), "detail": ", ".join(notice.indicators)},
            link=assessment_link(assessment),
        )


_ON_NOTICE = {
    NoticeKind.CLARIFICATION_ASKED: Kind.CLARIFICATION_ASKED,
    NoticeKind.CLARIFICATION_ANSWERED: Kind.CLARIFICATION_ANSWERED,
}
