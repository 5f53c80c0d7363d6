"""Who may see and do what. Every permission question is answered here; views, the API,
selectors and services ask, nothing else decides.

Each rule that refuses is written once, as a function returning the refusal (a
:class:`~dti.web.errors.ServiceError`) or ``None``: ``can_*`` is "no refusal", ``require_*``
raises it. So the actions a page offers are exactly the ones the services accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Viewer
from dti.web.accounts.models import Membership, Role
from dti.web.assessments.workflow import (
    SELF_EDITABLE,
    TRANSITIONS,
    VERIFY_EDITABLE,
    VISIBLE_TO_REVIEWERS,
    Deadline,
    Transition,
    deadline_passed,
)
from dti.web.errors import DeadlinePassed, Forbidden, InvalidState, ServiceError

if TYPE_CHECKING:
    from dti.web.assessments.models import Assessment, Period

from dti.web.assessments.models import Status

# Role sets the pages are opened to.
ADMINS = frozenset({Role.ADMIN})
# The department's staff: they follow a whole period (progress, results before publication).
STAFF = frozenset({Role.ADMIN, Role.VERIFIER, Role.LEADER})
# Who reads the units registry.
REGISTRY_READERS = frozenset({Role.ADMIN, Role.LEADER})


def membership_of(user: Viewer) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        membership: Membership = user.membership  # type: ignore[union-attr]
    except Membership.DoesNotExist:
        return None
    return membership


def role_of(user: Viewer) -> Role | None:
    membership = membership_of(user)
    return Role(membership.role) if membership else None


def has_role(user: Viewer, *roles: Role) -> bool:
    return role_of(user) in roles


def require_role(user: Viewer, *roles: Role) -> Membership:
    membership = membership_of(user)
    if membership is None or membership.role not in roles:
        raise Forbidden("Your role does not allow this action.")
    return membership


def sees_whole_period(user: Viewer) -> bool:
    """Staff see every unit of a period (drafts excluded for reviewers); everyone else sees
    published results and, for a reporter, the own unit."""
    return has_role(user, *STAFF)


def reports_for(user: Viewer, unit_id: int | None) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role == Role.REPORTER
        and unit_id is not None
        and unit_id in membership.unit_ids
    )


# -- assessments --------------------------------------------------------------------------------


def can_view_assessment(user: Viewer, assessment: Assessment) -> bool:
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.role == Role.ADMIN:
        return True
    if membership.role == Role.REPORTER:
        return assessment.unit_id in membership.unit_ids
    return assessment.status in VISIBLE_TO_REVIEWERS


def visible_assessments(user: Viewer, qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """``qs`` narrowed to what ``user`` may open (the list form of :func:`can_view_assessment`)."""
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    if membership.role == Role.ADMIN:
        return qs
    if membership.role == Role.REPORTER:
        return qs.filter(unit_id__in=membership.unit_ids)
    return qs.filter(status__in=list(VISIBLE_TO_REVIEWERS))


def require_view(user: Viewer, assessment: Assessment) -> Membership:
    if not can_view_assessment(user, assessment):
        raise Forbidden("You cannot see this assessment.")
    membership = membership_of(user)
    assert membership is not None
    return membership


def _not_reporter_of(user: Viewer, assessment: Assessment) -> Forbidden | None:
    membership = membership_of(user)
    if membership is None or membership.role != Role.REPORTER:
        return Forbidden("Your role does not allow this action.")
    if assessment.unit_id not in membership.unit_ids:
        return Forbidden("You report for another unit.")
    return None


def require_reporter_of(user: Viewer, assessment: Assessment) -> Membership:
    refusal = _not_reporter_of(user, assessment)
    if refusal is not None:
        raise refusal
    membership = membership_of(user)
    assert membership is not None
    return membership


def _deadline_refusal(
    assessment: Assessment, kind: Deadline, now: dt.datetime
) -> DeadlinePassed | None:
    if not deadline_passed(assessment, kind, now):
        return None
    if kind == Deadline.SELF:
        return DeadlinePassed(_("The self-assessment deadline has passed."))
    return DeadlinePassed(_("The verification deadline has passed."))


def self_edit_refusal(
    user: Viewer, assessment: Assessment, now: dt.datetime
) -> ServiceError | None:
    """Why ``user`` may not change the unit's own values now (``None``: they may)."""
    refusal: ServiceError | None = _not_reporter_of(user, assessment)
    if refusal is None and assessment.status not in SELF_EDITABLE:
        refusal = InvalidState(_("The self-assessment can only change while it is a draft."))
    return refusal or _deadline_refusal(assessment, Deadline.SELF, now)


def verify_refusal(user: Viewer, assessment: Assessment, now: dt.datetime) -> ServiceError | None:
    """Why ``user`` may not verify indicators now (role, state and deadline)."""
    if not has_role(user, Role.VERIFIER):
        return Forbidden("Your role does not allow this action.")
    if assessment.status not in VERIFY_EDITABLE:
        return InvalidState(_("Indicators can only be verified while verification is open."))
    return _deadline_refusal(assessment, Deadline.VERIFICATION, now)


def transition_refusal(
    user: Viewer, assessment: Assessment, transition: Transition, now: dt.datetime
) -> ServiceError | None:
    """Why ``user`` may not take ``transition`` now (role, unit, state, deadline)."""
    if not has_role(user, *transition.roles):
        return Forbidden("Your role does not allow this action.")
    if Role.REPORTER in transition.roles:
        refusal = _not_reporter_of(user, assessment)
        if refusal is not None:
            return refusal
    if assessment.status not in transition.sources:
        return InvalidState(
            _("%(action)s is not possible while the assessment is %(status)s.")
            % {"action": transition.label, "status": Status(assessment.status).label}
        )
    return _deadline_refusal(assessment, transition.deadline, now)


def _raise(refusal: ServiceError | None) -> None:
    if refusal is not None:
        raise refusal


def can_edit_self(user: Viewer, assessment: Assessment, now: dt.datetime) -> bool:
    return self_edit_refusal(user, assessment, now) is None


def require_self_edit(user: Viewer, assessment: Assessment, now: dt.datetime) -> None:
    _raise(self_edit_refusal(user, assessment, now))


def can_verify(user: Viewer, assessment: Assessment, now: dt.datetime) -> bool:
    return verify_refusal(user, assessment, now) is None


def require_verify(user: Viewer, assessment: Assessment, now: dt.datetime) -> None:
    _raise(verify_refusal(user, assessment, now))


def require_transition(
    user: Viewer, assessment: Assessment, transition: Transition, now: dt.datetime
) -> None:
    _raise(transition_refusal(user, assessment, transition, now))


def transitions_for(user: Viewer, assessment: Assessment, now: dt.datetime) -> list[Transition]:
    """The transitions ``user`` may take on ``assessment`` now, in the table's order."""
    return [t for t in TRANSITIONS.values() if transition_refusal(user, assessment, t, now) is None]


def can_download_template(user: Viewer, assessment: Assessment) -> bool:
    """The unit's workbook (with its codes): the admin and the unit's own reporter."""
    return has_role(user, Role.ADMIN) or reports_for(user, assessment.unit_id)


# -- results (dti.web.results) -----------------------------------------------------------------


def can_preview_results(user: Viewer) -> bool:
    """Staff may open scorecards of verified, not yet published results (marked as such);
    everyone else sees published results only."""
    return sees_whole_period(user)


def can_preview_appendix(user: Viewer) -> bool:
    """The decision appendix before publication: admin and leader (who sign it off)."""
    return has_role(user, Role.ADMIN, Role.LEADER)


# -- who is told of an event (dti.web.notifications) ------------------------------------------


def unit_reporters(unit_ids: Collection[int]) -> dict[int, list[User]]:
    """The active reporters of each unit (those ``reports_for`` answers yes for): they are
    told of their unit's deadlines and workflow."""
    found: dict[int, list[User]] = {pk: [] for pk in unit_ids}
    rows = Membership.units.through.objects.filter(
        unit_id__in=list(unit_ids), membership__role=Role.REPORTER, membership__user__is_active=True
    ).select_related("membership__user")
    for row in rows.order_by("membership__user_id"):
        found[row.unit_id].append(row.membership.user)
    return found


def period_admins(period: Period) -> list[User]:
    """The administrators who run ``period`` (those of its province, or national ones for a
    national period): they are told of its submissions."""
    admins = User.objects.filter(is_active=True, membership__role=Role.ADMIN)
    if period.province_id is None:
        admins = admins.filter(membership__province__isnull=True)
    else:
        admins = admins.filter(membership__province_id=period.province_id)
    return list(admins.order_by("pk"))
