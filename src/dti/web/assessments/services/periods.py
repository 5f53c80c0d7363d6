"""Periods: opening one (an assessment per unit with its entries) and moving its deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_admin_of, require_period_admin, require_role
from dti.web.assessments import workflow
from dti.web.assessments.models import Assessment, IndicatorEntry, Period, PeriodFramework
from dti.web.assessments.services.scores import assessment_recompute
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.errors import ConfirmationNeeded, InvalidInput
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_parsed, leaves_for_group
from dti.web.registry.models import Province, Unit, UnitGroup


def units_left_out(
    province: Province | None, frameworks: Mapping[UnitGroup, FrameworkVersion]
) -> list[Unit]:
    """Active units of the province's groups that no assigned framework covers."""
    assigned = [group.pk for group in frameworks]
    return list(
        Unit.objects.filter(active=True, group__province=province)
        .exclude(group_id__in=assigned)
        .select_related("group")
        .order_by("group__order", "code")
    )


def period_open(
    *,
    actor: Actor | None,
    year: int,
    name: str,
    self_deadline: dt.datetime,
    verification_deadline: dt.datetime,
    frameworks: Mapping[UnitGroup, FrameworkVersion],
    check_role: bool = True,
    province: Province | None = None,
    units: Iterable[Unit] | None = None,
    confirm_left_out: bool = True,
) -> Period:
    """Open a period: one assessment per active unit of every assigned group (or per unit of
    ``units`` only, e.g. the units a published ranking covered). With ``confirm_left_out``
    false, refused while active units of the province's other groups would be left out (the
    page asks the admin first, listing them)."""
    if check_role:
        require_admin_of(actor, province)
    left_out = units_left_out(province, frameworks) if units is None else []
    if left_out and not confirm_left_out:
        raise ConfirmationNeeded(
            _("%(n)s active units would have no assessment; confirm to leave them out.")
            % {"n": len(left_out)},
            problems=[f"{u.code} — {u.name} ({u.group.name})" for u in left_out],
        )
    if verification_deadline < self_deadline:
        raise InvalidInput(_("The verification deadline must follow the self-assessment one."))
    if not frameworks:
        raise InvalidInput(_("Assign a framework to at least one unit group."))
    problems = [
        _("Unit group %(group)s belongs to another province.") % {"group": group.code}
        for group in frameworks
        if group.province_id != (province.pk if province else None)
    ]
    for group, version in frameworks.items():
        if group.code not in framework_parsed(version).group_codes():
            problems.append(
                _("Framework %(fw)s has no group %(group)s.")
                % {"fw": version.code, "group": group.code}
            )
    if problems:
        raise InvalidInput(_("The framework assignment is wrong."), problems=problems)
    with transaction.atomic():
        if Period.objects.filter(year=year, province=province).exists():
            raise InvalidInput(_("A period for %(year)s already exists.") % {"year": year})
        period = Period.objects.create(
            province=province,
            year=year,
            name=name,
            self_deadline=self_deadline,
            verification_deadline=verification_deadline,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.PERIOD_OPEN,
            obj=period,
            new={
                "year": year,
                "frameworks": {g.code: str(v) for g, v in frameworks.items()},
                "self_deadline": self_deadline.isoformat(),
                "verification_deadline": verification_deadline.isoformat(),
            },
        )
        for group, version in frameworks.items():
            PeriodFramework.objects.create(period=period, group=group, framework=version)
            leaves = leaves_for_group(framework_parsed(version), group.code)
            members = Unit.objects.filter(group=group).select_related("group")
            if units is None:
                members = members.filter(active=True)
            else:
                members = members.filter(pk__in=[u.pk for u in units])
            for unit in members:
                assessment = Assessment.objects.create(period=period, unit=unit, framework=version)
                IndicatorEntry.objects.bulk_create(
                    IndicatorEntry(assessment=assessment, indicator=leaf.code, position=i)
                    for i, leaf in enumerate(leaves)
                )
                assessment_recompute(assessment=assessment, actor=actor)
        workflow.period_opened(period)  # notifications, sent once this commits
    return period


def period_set_deadlines(
    *,
    actor: Actor | None,
    period: Period,
    self_deadline: dt.datetime,
    verification_deadline: dt.datetime,
    reason: str,
) -> Period:
    require_period_admin(actor, period)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    if verification_deadline < self_deadline:
        raise InvalidInput(_("The verification deadline must follow the self-assessment one."))
    with transaction.atomic():
        before = {
            "self_deadline": period.self_deadline.isoformat(),
            "verification_deadline": period.verification_deadline.isoformat(),
        }
        period.self_deadline, period.verification_deadline = self_deadline, verification_deadline
        period.save(update_fields=["self_deadline", "verification_deadline"])
        after = {
            "self_deadline": self_deadline.isoformat(),
            "verification_deadline": verification_deadline.isoformat(),
        }
        audit_changes(
            actor=actor,
            action=AuditAction.PERIOD_DEADLINES,
            obj=period,
            before=before,
            after=after,
            reason=reason,
        )
    return period


def deadline_extend(
    *,
    actor: Actor | None,
    assessments: Iterable[Assessment],
    deadline: dt.datetime,
    reason: str,
) -> int:
    """Give units (one, or a whole group's) their own self-assessment deadline; each change
    audited with its reason. Returns how many assessments got it."""
    require_role(actor, Role.ADMIN)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    count = 0
    with transaction.atomic():
        rows = Assessment.objects.select_for_update(of=("self",)).select_related("period")
        for assessment in rows.filter(pk__in=[a.pk for a in assessments]).order_by("pk"):
            require_period_admin(actor, assessment.period)
            if deadline > assessment.period.verification_deadline:
                raise InvalidInput(
                    _("The unit's deadline must come before the verification deadline.")
                )
            before = workflow.self_deadline(assessment)
            assessment.self_deadline_override = deadline
            assessment.save(update_fields=["self_deadline_override", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.DEADLINE_EXTEND,
                obj=assessment,
                assessment=assessment,
                field="self_deadline",
                old=before.isoformat(),
                new=deadline.isoformat(),
                reason=reason.strip(),
            )
            count += 1
    return count
