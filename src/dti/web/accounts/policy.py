"""Who may see and do what. Every permission question is answered here; views, the API,
selectors and services ask, nothing else decides.

Each rule that refuses is written once, as a function returning the refusal (a
:class:`~dti.web.errors.ServiceError`) or ``None``: ``can_*`` is "no refusal", ``require_*``
raises it. So the actions a page offers are exactly the ones the services accept.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
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
    from dti.web.assessments.models import Assessment, ValuesImport
    from dti.web.audit.models import AuditEvent
    from dti.web.registry.models import Province, Unit, UnitGroup

from dti.web.assessments.models import Period, Status

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


# -- provinces ---------------------------------------------------------------------------------
# Every account acts in one province (``Membership.province``; none: the national level, or a
# single-province installation that leaves provinces empty everywhere). A record's province is
# its period's (``period.province``), its unit's group's (``unit.group.province``) or its
# group's (``group.province``). A record is in the account's scope iff the two are equal
# (none equals none); admins, verifiers and leaders act only in scope, reporters only for their
# units (which are in their province). Published results stay everyone's.


def _province_id(province: Province | int | None) -> int | None:
    return province if province is None or isinstance(province, int) else province.pk


def province_q(path: str, province: Province | int | None) -> Q:
    """Records whose ``path`` (``province``, ``period__province``, ``group__province`` …) is
    ``province`` — none included: a national record is in the national level's scope only."""
    province_id = _province_id(province)
    if province_id is None:
        return Q(**{f"{path}__isnull": True})
    return Q(**{f"{path}_id": province_id})


def in_province(user: Viewer, province: Province | int | None) -> bool:
    """Whether a record of ``province`` is in ``user``'s scope."""
    membership = membership_of(user)
    return membership is not None and membership.province_id == _province_id(province)


def province_refusal(user: Viewer, province: Province | int | None) -> Forbidden | None:
    if not in_province(user, province):
        return Forbidden("This belongs to another province.")
    return None


def role_refusal(
    user: Viewer, roles: frozenset[Role] | tuple[Role, ...], province: Province | int | None
) -> Forbidden | None:
    """Why ``user`` may not act as one of ``roles`` on a record of ``province``."""
    if not has_role(user, *roles):
        return Forbidden("Your role does not allow this action.")
    return province_refusal(user, province)


def can_act_in(user: Viewer, province: Province | int | None, *roles: Role) -> bool:
    return role_refusal(user, roles, province) is None


def require_role_in(user: Viewer, province: Province | int | None, *roles: Role) -> Membership:
    """:func:`require_role`, and the record's ``province`` must be the user's."""
    refusal = role_refusal(user, roles, province)
    if refusal is not None:
        raise refusal
    membership = membership_of(user)
    assert membership is not None
    return membership


def require_admin_of(user: Viewer, province: Province | int | None) -> Membership:
    """An admin of ``province``: who opens its periods, imports its units and data, creates its
    accounts, approves and publishes its results."""
    return require_role_in(user, province, Role.ADMIN)


def require_units_admin(user: Viewer, *units: Unit) -> Membership:
    """An admin of the province every one of ``units`` belongs to (a merge, split or transfer
    never crosses provinces through this door)."""
    membership = require_role(user, Role.ADMIN)
    for unit in units:
        _raise(province_refusal(user, unit.group.province_id))
    return membership


def visible_provinces(user: Viewer, qs: QuerySet[Province]) -> QuerySet[Province]:
    """The provinces ``user`` may choose in a form (its own; none for the national level)."""
    membership = membership_of(user)
    if membership is None or membership.province_id is None:
        return qs.none()
    return qs.filter(pk=membership.province_id)


def visible_periods(user: Viewer, qs: QuerySet[Period]) -> QuerySet[Period]:
    """The periods of ``user``'s province (the published results are the public pages')."""
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    return qs.filter(province_q("province", membership.province_id))


def visible_groups(user: Viewer, qs: QuerySet[UnitGroup]) -> QuerySet[UnitGroup]:
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    return qs.filter(province_q("province", membership.province_id))


def visible_units(user: Viewer, qs: QuerySet[Unit]) -> QuerySet[Unit]:
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    return qs.filter(province_q("group__province", membership.province_id))


def period_staff_refusal(
    user: Viewer, period: Period, roles: frozenset[Role] = STAFF
) -> Forbidden | None:
    """Why ``user`` may not follow (or, with ``roles=ADMINS``, administer) ``period``."""
    return role_refusal(user, roles, period.province_id)


def can_follow_period(user: Viewer, period: Period) -> bool:
    """Staff of the period's province follow it: progress, every unit, results before
    publication."""
    return period_staff_refusal(user, period) is None


def require_period_admin(user: Viewer, period: Period) -> Membership:
    return require_role_in(user, period.province_id, Role.ADMIN)


def can_see_progress(user: Viewer, period: Period) -> bool:
    """The period's progress counts: any account of its province."""
    return in_province(user, period.province_id)


def sees_whole_period(user: Viewer, period: Period) -> bool:
    """Staff of the period's province see every unit of it (drafts excluded for reviewers);
    everyone else sees published results and, for a reporter, the own unit."""
    return can_follow_period(user, period)


# -- the audit trail ---------------------------------------------------------------------------


def visible_audit_events(user: Viewer, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """The trail an admin reads: the events of the own province's assessments, those of its
    periods, units and accounts, and those its own accounts made. (The trail has no province
    column: an event's province is read from what it names, so nothing is rewritten in an
    append-only table.)"""
    from django.contrib.auth.models import User

    from dti.web.registry.models import Unit

    membership = membership_of(user)
    if membership is None or membership.role != Role.ADMIN:
        return qs.none()
    province = membership.province_id

    def ids(model_qs: QuerySet[Any]) -> QuerySet[Any]:
        keys: QuerySet[Any] = model_qs.annotate(key=Cast("pk", CharField())).values("key")
        return keys

    named = {
        "assessments.period": ids(Period.objects.filter(province_q("province", province))),
        "registry.unit": ids(Unit.objects.filter(province_q("group__province", province))),
        "auth.user": ids(User.objects.filter(province_q("membership__province", province))),
    }
    scope = Q(assessment__isnull=False) & province_q("assessment__period__province", province)
    scope |= Q(assessment__isnull=True, actor__membership__isnull=False) & province_q(
        "actor__membership__province", province
    )
    for object_type, keys in named.items():
        scope |= Q(object_type=object_type, object_id__in=keys)
    return qs.filter(scope)


def reports_for(user: Viewer, unit_id: int | None) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role == Role.REPORTER
        and unit_id is not None
        and unit_id in membership.unit_ids
    )


# -- assessments --------------------------------------------------------------------------------


def _assessment_province(assessment: Assessment) -> int | None:
    return assessment.period.province_id


def can_view_assessment(user: Viewer, assessment: Assessment) -> bool:
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.province_id != _assessment_province(assessment):
        return False  # another province's (or the national level's) assessment
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
    qs = qs.filter(province_q("period__province", membership.province_id))  # the own province only
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
    return province_refusal(user, _assessment_province(assessment))


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
    refusal = role_refusal(user, (Role.VERIFIER,), _assessment_province(assessment))
    if refusal is not None:
        return refusal
    if assessment.status not in VERIFY_EDITABLE:
        return InvalidState(_("Indicators can only be verified while verification is open."))
    return _deadline_refusal(assessment, Deadline.VERIFICATION, now)


def transition_refusal(
    user: Viewer, assessment: Assessment, transition: Transition, now: dt.datetime
) -> ServiceError | None:
    """Why ``user`` may not take ``transition`` now (role, unit, state, deadline)."""
    refusal: ServiceError | None = role_refusal(
        user, transition.roles, _assessment_province(assessment)
    )
    if refusal is not None:
        return refusal
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
    return can_act_in(user, _assessment_province(assessment), Role.ADMIN) or reports_for(
        user, assessment.unit_id
    )


# -- results (dti.web.results) -----------------------------------------------------------------


def can_preview_results(user: Viewer, period: Period) -> bool:
    """Staff of the period's province may open scorecards of verified, not yet published
    results (marked as such); everyone else sees published results only."""
    return sees_whole_period(user, period)


def can_preview_appendix(user: Viewer, period: Period) -> bool:
    """The decision appendix before publication: the province's admin and leader (who sign it
    off)."""
    return can_act_in(user, period.province_id, Role.ADMIN, Role.LEADER)


# -- imports (values collected centrally) ------------------------------------------------------


def visible_imports(user: Viewer, qs: QuerySet[ValuesImport]) -> QuerySet[ValuesImport]:
    """The values imports an admin follows: its own province's periods'."""
    membership = membership_of(user)
    if membership is None or membership.role != Role.ADMIN:
        return qs.none()
    return qs.filter(province_q("period__province", membership.province_id))
