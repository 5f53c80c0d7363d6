"""Who may see and do what. Every permission question is answered here; views, the API,
selectors and services ask, nothing else decides.

Each rule that refuses is written once, as a function returning the refusal (a
:class:`~dti.web.errors.ServiceError`) or ``None``: ``can_*`` is "no refusal", ``require_*``
raises it. So the actions a page offers are exactly the ones the services accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Viewer
from dti.web.accounts.models import Membership, Role
from dti.web.assessments import assignments
from dti.web.assessments.workflow import (
    CLARIFIABLE,
    DISPUTABLE,
    SELF_EDITABLE,
    TRANSITIONS,
    VERIFY_EDITABLE,
    VISIBLE_TO_REVIEWERS,
    Deadline,
    Transition,
    TransitionName,
    deadline_passed,
)
from dti.web.errors import DeadlinePassed, Forbidden, InvalidState, NotFound, ServiceError

if TYPE_CHECKING:
    from dti.web.assessments.models import (
        Assessment,
        Clarification,
        Document,
        EntryDispute,
        IndicatorEntry,
        ValuesImport,
    )
    from dti.web.audit.models import AuditEvent
    from dti.web.connectors.models import Connector, Pull
    from dti.web.registry.models import Province, Unit, UnitGroup

from dti.web.assessments.models import ClarificationState, DisputeDecision, Period, Status, Verdict

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
        raise Forbidden(_("Your role does not allow this action."))
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
        return Forbidden(_("This belongs to another province."))
    return None


def role_refusal(
    user: Viewer, roles: frozenset[Role] | tuple[Role, ...], province: Province | int | None
) -> Forbidden | None:
    """Why ``user`` may not act as one of ``roles`` on a record of ``province``."""
    if not has_role(user, *roles):
        return Forbidden(_("Your role does not allow this action."))
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
        _raise(units_admin_refusal(user, unit.group.province_id))
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


def can_take_snapshots(user: Viewer, period: Period) -> bool:
    """Continuous measurement (the plan, "take a snapshot now", closing the year from one):
    the period's province's admins; its staff read the snapshots."""
    return period_staff_refusal(user, period, ADMINS) is None


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

    from dti.web.assessments.models import Document
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
        "assessments.document": ids(
            Document.objects.filter(province_q("unit__group__province", province))
        ),
    }
    scope = Q(assessment__isnull=False) & province_q("assessment__period__province", province)
    scope |= Q(assessment__isnull=True, actor__membership__isnull=False) & province_q(
        "actor__membership__province", province
    )
    for object_type, keys in named.items():
        scope |= Q(object_type=object_type, object_id__in=keys)
    # What the system itself did outside any assessment and any province's records (a
    # framework loaded, a command) is the national level's.
    if province is None:
        scope |= Q(actor__isnull=True, assessment__isnull=True) & ~Q(object_type__in=list(named))
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
    return assessment.status in VISIBLE_TO_REVIEWERS and _unassigned(user, assessment) is None


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
    if membership.role == Role.VERIFIER:
        qs = qs.filter(_assigned(user))
    return qs.filter(status__in=list(VISIBLE_TO_REVIEWERS))


def require_view(user: Viewer, assessment: Assessment) -> Membership:
    if not can_view_assessment(user, assessment):
        raise Forbidden(_("You cannot see this assessment."))
    membership = membership_of(user)
    assert membership is not None
    return membership


def _not_reporter_of(user: Viewer, assessment: Assessment) -> Forbidden | None:
    membership = membership_of(user)
    if membership is None or membership.role != Role.REPORTER:
        return Forbidden(_("Your role does not allow this action."))
    if assessment.unit_id not in membership.unit_ids:
        return Forbidden(_("You report for another unit."))
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
    if (unassigned := _unassigned(user, assessment)) is not None:
        return unassigned
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
    if (assigned := _assignment_refusal(user, assessment, transition)) is not None:
        return assigned
    withdraw = _withdraw_refusal(assessment, transition)
    if withdraw is not None:
        return withdraw
    if assessment.status not in transition.sources:
        return InvalidState(
            _("%(action)s is not possible while the assessment is %(status)s.")
            % {"action": transition.label, "status": Status(assessment.status).label}
        )
    if transition.waits_for_disputes and (waiting := _open_dispute_refusal(assessment)):
        return waiting
    return _deadline_refusal(assessment, transition.deadline, now)


def _withdraw_refusal(assessment: Assessment, transition: Transition) -> ServiceError | None:
    """A submission can be withdrawn only until verification starts: afterwards it is the
    working group's, and only the department can reopen it."""
    if transition.name != TransitionName.WITHDRAW or assessment.status == Status.SUBMITTED:
        return None
    if assessment.status == Status.DRAFT:
        return InvalidState(_("The self-assessment has not been submitted."))
    return InvalidState(
        _(
            "Verification has started: the submission can no longer be withdrawn. "
            "Ask the department to reopen it."
        )
    )


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
    """The transitions ``user`` may take on ``assessment`` now, in the table's order (not the
    whole-group ones: the period's page publishes a group whole)."""
    return [
        t
        for t in TRANSITIONS.values()
        if not t.whole_group and transition_refusal(user, assessment, t, now) is None
    ]


# -- the unit's documents (the evidence registry) ------------------------------------------------
# A unit's library is read by its reporters and by the admins and verifiers of its province;
# only its reporters file, link and remove; only verifiers remark. Anyone else learns nothing
# (not found), as for another province's records.


def _unit_province(unit: Unit) -> int | None:
    return unit.group.province_id


def documents_refusal(user: Viewer, unit: Unit) -> ServiceError | None:
    """Why ``user`` may not read ``unit``'s documents (``None``: they may)."""
    membership = membership_of(user)
    if membership is None or membership.province_id != _unit_province(unit):
        return NotFound(_("No such unit."))
    if membership.role in (Role.ADMIN, Role.VERIFIER):
        return None
    if membership.role == Role.REPORTER and unit.pk in membership.unit_ids:
        return None
    if membership.role == Role.REPORTER:
        return NotFound(_("No such unit."))
    return Forbidden(_("Your role does not allow this action."))


def can_view_documents(user: Viewer, unit: Unit) -> bool:
    return documents_refusal(user, unit) is None


def require_view_documents(user: Viewer, unit: Unit) -> None:
    _raise(documents_refusal(user, unit))


def visible_documents(user: Viewer, qs: QuerySet[Document]) -> QuerySet[Document]:
    """``qs`` narrowed to the documents ``user`` may read (the list form of
    :func:`documents_refusal`)."""
    membership = membership_of(user)
    if membership is None:
        return qs.none()
    qs = qs.filter(province_q("unit__group__province", membership.province_id))
    if membership.role in (Role.ADMIN, Role.VERIFIER):
        return qs
    if membership.role == Role.REPORTER:
        return qs.filter(unit_id__in=membership.unit_ids)
    return qs.none()


def document_add_refusal(user: Viewer, unit: Unit) -> ServiceError | None:
    """Who files a unit's documents: its reporters."""
    refusal = documents_refusal(user, unit)
    if refusal is None and not reports_for(user, unit.pk):
        refusal = Forbidden(_("Only the unit's reporters file its documents."))
    return refusal


def can_add_document(user: Viewer, unit: Unit) -> bool:
    return document_add_refusal(user, unit) is None


def require_document_add(user: Viewer, unit: Unit) -> None:
    _raise(document_add_refusal(user, unit))


def document_delete_refusal(user: Viewer, document: Document) -> ServiceError | None:
    """A wrong upload goes while nothing links it and no verifier remarked on it; after that
    it is part of an assessment's record."""
    refusal = document_add_refusal(user, document.unit)
    if refusal is None and document.links.exists():
        refusal = InvalidState(_("The document is linked to an indicator: unlink it first."))
    if refusal is None and document.remarks.exists():
        refusal = InvalidState(_("A verifier remarked on the document: it stays."))
    return refusal


def require_document_delete(user: Viewer, document: Document) -> None:
    _raise(document_delete_refusal(user, document))


def remark_refusal(user: Viewer, unit: Unit) -> ServiceError | None:
    """Who remarks on a unit's documents: the verifiers of its province."""
    refusal = documents_refusal(user, unit)
    if refusal is None and not has_role(user, Role.VERIFIER):
        refusal = Forbidden(_("Only verifiers remark on documents."))
    return refusal


def can_remark_documents(user: Viewer, unit: Unit) -> bool:
    return remark_refusal(user, unit) is None


def document_remark_refusal(user: Viewer, document: Document) -> ServiceError | None:
    return remark_refusal(user, document.unit)


def require_document_remark(user: Viewer, document: Document) -> None:
    _raise(document_remark_refusal(user, document))


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


# -- connectors (measured values pulled from other systems) -------------------------------------


def connector_admin_refusal(user: Viewer, province: Province | int | None) -> Forbidden | None:
    """A province's connectors are configured and pulled by its administrators."""
    return role_refusal(user, ADMINS, province)


def can_manage_connectors(user: Viewer, province: Province | int | None) -> bool:
    return connector_admin_refusal(user, province) is None


def require_manage_connectors(user: Viewer, province: Province | int | None) -> None:
    _raise(connector_admin_refusal(user, province))


def visible_connectors(user: Viewer, qs: QuerySet[Connector]) -> QuerySet[Connector]:
    membership = membership_of(user)
    if membership is None or membership.role != Role.ADMIN:
        return qs.none()
    return qs.filter(province_q("province", membership.province_id))


def visible_pulls(user: Viewer, qs: QuerySet[Pull]) -> QuerySet[Pull]:
    membership = membership_of(user)
    if membership is None or membership.role != Role.ADMIN:
        return qs.none()
    return qs.filter(province_q("connector__province", membership.province_id))


def measured_overwrite_refusal(indicators: Collection[str]) -> Forbidden | None:
    """A measured value is pulled, never typed: the unit cannot overwrite it (a verifier
    adjusts it, with a reason, on the verified side)."""
    if indicators:
        return Forbidden(
            _(
                "These indicators are measured by a connector: their values are pulled, not "
                "typed (the verifier may adjust them with a reason)."
            ),
            problems=sorted(indicators),
        )
    return None


def require_not_measured(indicators: Collection[str]) -> None:
    _raise(measured_overwrite_refusal(indicators))


# -- units registry (dti.web.registry) ---------------------------------------------------------


def units_admin_refusal(user: Viewer, province: Province | int | None) -> ServiceError | None:
    """Units are changed by an administrator of their province (the national level's, of no
    province, by a national administrator): the one scope rule of :func:`in_province`, said
    in the units' words. ``province`` is the unit's (its group's), or the one an import is for."""
    if not has_role(user, Role.ADMIN):
        return Forbidden(_("Only an administrator may change the units."))
    if not in_province(user, province):
        return Forbidden(_("You administer the units of your own province only."))
    return None


def can_administer_units(user: Viewer, province: Province | int | None) -> bool:
    return units_admin_refusal(user, province) is None


def require_administer_units(user: Viewer, province: Province | int | None) -> None:
    _raise(units_admin_refusal(user, province))


# -- verification by assignment, clarifications, disputes ----------------------------------------
# The rule (README, "Verification by assignment"): in a period with no assignment and no chair
# every verifier works on every unit, as before; otherwise a verifier sees and verifies only
# the units (or pillars) the admin assigned, the chair every unit; the chair signs each unit's
# verification off and decides the units' disputes (the admin, where no chair is named).


def _assigned(user: Viewer) -> Q:
    """The assessments a verifier may work on (the filter form of :func:`_unassigned`)."""
    return assignments.assigned_to(int(user.pk) if user is not None and user.pk else 0)


def _reach(user: Viewer, assessment: Assessment) -> assignments.Reach:
    if user is None or user.pk is None or not has_role(user, Role.VERIFIER):
        return assignments.NOTHING
    return assignments.verifier_reach(int(user.pk), assessment.period_id, assessment.unit_id)


def _unassigned(user: Viewer, assessment: Assessment) -> Forbidden | None:
    """A verifier to whom nothing of the unit is assigned (None for other roles)."""
    if not has_role(user, Role.VERIFIER) or _reach(user, assessment).anything:
        return None
    return Forbidden(_("This unit is not assigned to you for verification."))


def _not_chair(user: Viewer, assessment: Assessment) -> Forbidden | None:
    """Who signs off and decides disputes: the chair where one is named; where none is, a
    verifier assigned the whole unit (signing off) — see :func:`dispute_decide_refusal`."""
    if not assignments.period_assigned(assessment.period_id):
        return None
    chair_id = assignments.chair_id_of(assessment.period_id)
    if chair_id is not None:
        if user is not None and user.pk == chair_id:
            return None
        return Forbidden(_("Only the working group's chair signs the verification off."))
    if _reach(user, assessment).whole:
        return None
    return Forbidden(_("Only a verifier assigned the whole unit signs its verification off."))


def _assignment_refusal(
    user: Viewer, assessment: Assessment, transition: Transition
) -> Forbidden | None:
    if Role.VERIFIER not in transition.roles:
        return None
    refusal = _unassigned(user, assessment)
    if refusal is None and transition.chair_signs:
        refusal = _not_chair(user, assessment)
    return refusal


def _open_dispute_refusal(assessment: Assessment) -> InvalidState | None:
    from dti.web.assessments.models import EntryDispute

    waiting = EntryDispute.objects.filter(
        entry__assessment_id=assessment.pk,
        round=assessment.reopen_count,
        decision=DisputeDecision.OPEN,
    ).exists()
    if not waiting:
        return None
    return InvalidState(_("A dispute of the unit waits for the chair's decision."))


def view_refusal(user: Viewer, assessment: Assessment) -> ServiceError | None:
    """Why ``user`` may not open ``assessment``: a verifier not assigned the unit is told so
    (the period's progress lists it anyway); anyone else learns nothing (not found)."""
    if can_view_assessment(user, assessment):
        return None
    if assessment.status in VISIBLE_TO_REVIEWERS and (refusal := _unassigned(user, assessment)):
        return refusal
    return NotFound(_("No such assessment."))


def verifiable_indicators(user: Viewer, assessment: Assessment) -> frozenset[str] | None:
    """The indicators ``user`` may verify by assignment (None: every one)."""
    reach = _reach(user, assessment)
    if reach.whole:
        return None
    pillars = assignments.pillar_codes(assessment.framework)
    return frozenset(code for code, pillar in pillars.items() if reach.covers(pillar))


def entry_verify_refusal(
    user: Viewer, entry: IndicatorEntry, now: dt.datetime
) -> ServiceError | None:
    """Why ``user`` may not verify (or ask about) this indicator: :func:`verify_refusal`, and
    a verifier assigned some pillars only verifies those."""
    refusal = verify_refusal(user, entry.assessment, now)
    if refusal is None:
        allowed = verifiable_indicators(user, entry.assessment)
        if allowed is not None and entry.indicator not in allowed:
            refusal = Forbidden(_("This pillar is not assigned to you for verification."))
    return refusal


def verifiable_now(user: Viewer, assessment: Assessment, now: dt.datetime) -> frozenset[str]:
    """The indicators ``user`` may verify now: the page's list form of
    :func:`entry_verify_refusal`, asked once for the whole assessment."""
    if verify_refusal(user, assessment, now) is not None:
        return frozenset()
    allowed = verifiable_indicators(user, assessment)
    if allowed is None:
        return frozenset(assessment.entries.values_list("indicator", flat=True))
    return allowed


def clarification_answer_refusal(
    user: Viewer, clarification: Clarification, assessment: Assessment, now: dt.datetime
) -> ServiceError | None:
    """Why ``user`` may not answer the question: the unit's reporter answers once, while
    verification is open and before the reply deadline."""
    refusal: ServiceError | None = _not_reporter_of(user, assessment)
    if refusal is None and assessment.status not in CLARIFIABLE:
        refusal = InvalidState(_("Questions can only be answered while verification is open."))
    if refusal is None and clarification.state != ClarificationState.ASKED:
        refusal = InvalidState(_("This question has already been answered or settled."))
    if refusal is None and now > clarification.reply_by:
        refusal = DeadlinePassed(_("The reply deadline has passed."))
    return refusal


def dispute_file_refusal(
    user: Viewer, entry: IndicatorEntry, assessment: Assessment
) -> ServiceError | None:
    """Why ``user`` may not dispute the adjustment of ``entry``: the unit's reporter disputes
    an adjustment once per verification round, after verification and before approval."""
    refusal: ServiceError | None = _not_reporter_of(user, assessment)
    if refusal is None and assessment.status not in DISPUTABLE:
        refusal = InvalidState(_("An adjustment can only be disputed once verification ended."))
    if refusal is None and entry.verdict != Verdict.ADJUSTED:
        refusal = InvalidState(_("Only an adjusted indicator can be disputed."))
    if refusal is None and entry.disputes.filter(round=assessment.reopen_count).exists():
        refusal = InvalidState(_("This adjustment has already been disputed."))
    return refusal


def dispute_decide_refusal(
    user: Viewer, dispute: EntryDispute, assessment: Assessment
) -> ServiceError | None:
    """Why ``user`` may not decide the dispute: the chair decides (the admin where the period
    has no chair), once, before approval."""
    chair_id = assignments.chair_id_of(assessment.period_id)
    if chair_id is None:
        allowed = has_role(user, Role.ADMIN)
    else:
        allowed = user is not None and user.pk == chair_id and has_role(user, Role.VERIFIER)
    refusal: ServiceError | None = None
    if not allowed:
        refusal = Forbidden(_("Only the working group's chair decides disputes."))
    elif assessment.status not in DISPUTABLE:
        refusal = InvalidState(_("Disputes are decided before approval."))
    elif dispute.decision != DisputeDecision.OPEN:
        refusal = InvalidState(_("This dispute has already been decided."))
    return refusal


def can_manage_verifiers(user: Viewer) -> bool:
    """Assigning verifiers and naming the chair: the admin."""
    return has_role(user, Role.ADMIN)


# -- accounts -----------------------------------------------------------------------------------
# An administrator manages the accounts of their own province (``Membership.province``; none:
# the national level) and gives reporters units of that province only.

# Who must sign in with a second factor when DTI_TWO_FACTOR is on.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.VERIFIER})


def account_admin_refusal(user: Viewer) -> Forbidden | None:
    """Why ``user`` may not administer accounts at all."""
    if not has_role(user, Role.ADMIN):
        return Forbidden(_("Your role does not allow this action."))
    return None


def account_manage_refusal(user: Viewer, account: Membership) -> Forbidden | None:
    """Why ``user`` may not change ``account`` (not an admin, or another province's account)."""
    refusal = account_admin_refusal(user)
    if refusal is not None:
        return refusal
    mine = membership_of(user)
    assert mine is not None
    if account.province_id != mine.province_id:
        return Forbidden(_("This account belongs to another province."))
    return None


def unit_assign_refusal(user: Viewer, unit: Unit) -> Forbidden | None:
    """Why ``user`` may not make someone a reporter of ``unit`` (another province's unit)."""
    refusal = account_admin_refusal(user)
    if refusal is not None:
        return refusal
    mine = membership_of(user)
    assert mine is not None
    if unit.group.province_id != mine.province_id:
        return Forbidden(_("Unit %(code)s belongs to another province.") % {"code": unit.code})
    return None


def can_administer_accounts(user: Viewer) -> bool:
    return account_admin_refusal(user) is None


def require_account_admin(user: Viewer) -> Membership:
    _raise(account_admin_refusal(user))
    membership = membership_of(user)
    assert membership is not None
    return membership


def can_manage_account(user: Viewer, account: Membership) -> bool:
    return account_manage_refusal(user, account) is None


def require_manage_account(user: Viewer, account: Membership) -> None:
    _raise(account_manage_refusal(user, account))


def require_assign_unit(user: Viewer, unit: Unit) -> None:
    _raise(unit_assign_refusal(user, unit))


def _in_province(field: str, province_id: int | None) -> Q:
    """Rows of province ``province_id`` (none: the national level, ``IS NULL``)."""
    if province_id is None:
        return Q(**{f"{field}__isnull": True})
    return Q(**{field: province_id})


def managed_accounts(user: Viewer, qs: QuerySet[Membership]) -> QuerySet[Membership]:
    """``qs`` narrowed to the accounts ``user`` administers (the list form of
    :func:`can_manage_account`)."""
    mine = membership_of(user)
    if account_admin_refusal(user) is not None or mine is None:
        return qs.none()
    return qs.filter(_in_province("province", mine.province_id))


def assignable_units(user: Viewer, qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """``qs`` narrowed to the units ``user`` may give a reporter (the list form of
    :func:`unit_assign_refusal`)."""
    mine = membership_of(user)
    if account_admin_refusal(user) is not None or mine is None:
        return qs.none()
    return qs.filter(_in_province("group__province", mine.province_id))


def needs_second_factor(user: Viewer) -> bool:
    """Whether ``user`` must sign in with a TOTP token too (the setting is on and the role is
    one that changes or verifies others' data)."""
    return bool(getattr(settings, "DTI_TWO_FACTOR", False)) and has_role(user, *TWO_FACTOR_ROLES)


def gets_recovery_tokens(user: Viewer) -> bool:
    """Administrators get single-use recovery tokens with their second factor: no one else
    could let them back in without a shell."""
    return has_role(user, Role.ADMIN)


# -- publication and its decision (dti.web.results.publication) ------------------------------
# The admin drafts the decision (number, date, signer; the appendix comes from the results),
# the leader approves it, and the admin publishes it with the results. The states each step
# needs are the service's to check; who may take it is written here.


def _in_period_as(user: Viewer, period: Period, role: Role, message: str) -> ServiceError | None:
    """``user`` has ``role`` in the period's province (another province's: refused)."""
    if not has_role(user, role):
        return Forbidden(message)
    return role_refusal(user, (role,), period.province_id)


def decision_draft_refusal(user: Viewer, period: Period) -> ServiceError | None:
    return _in_period_as(user, period, Role.ADMIN, _("Only an administrator drafts the decision."))


def decision_approve_refusal(user: Viewer, period: Period) -> ServiceError | None:
    return _in_period_as(user, period, Role.LEADER, _("Only a leader approves the decision."))


def publish_refusal(user: Viewer, period: Period) -> ServiceError | None:
    return _in_period_as(user, period, Role.ADMIN, _("Only an administrator publishes results."))


def robustness_refusal(user: Viewer, period: Period) -> ServiceError | None:
    """The robustness report before publication: the province's admin (who publishes) and
    leader (who approves the decision) — the people who sign the ranking off."""
    if not has_role(user, Role.ADMIN, Role.LEADER):
        return Forbidden(_("Only an administrator or a leader reads the robustness report."))
    return role_refusal(user, (Role.ADMIN, Role.LEADER), period.province_id)


def can_read_robustness(user: Viewer, period: Period) -> bool:
    return robustness_refusal(user, period) is None


def can_draft_decision(user: Viewer, period: Period) -> bool:
    return decision_draft_refusal(user, period) is None


def can_approve_decision(user: Viewer, period: Period) -> bool:
    return decision_approve_refusal(user, period) is None


def can_publish_results(user: Viewer, period: Period) -> bool:
    return publish_refusal(user, period) is None


def can_open_decision(user: Viewer, period: Period) -> bool:
    """The decision page: who drafts it and who approves it."""
    return can_draft_decision(user, period) or can_approve_decision(user, period)


def require_draft_decision(user: Viewer, period: Period) -> None:
    _raise(decision_draft_refusal(user, period))


def require_approve_decision(user: Viewer, period: Period) -> None:
    _raise(decision_approve_refusal(user, period))


def require_publish_results(user: Viewer, period: Period) -> None:
    _raise(publish_refusal(user, period))


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
