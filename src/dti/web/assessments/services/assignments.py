"""The working group organised by the admin: verifiers assigned to units (or to pillars of a
unit) for a period, in bulk with a confirmation, assignments removed, the chair named.

Each change is audited: an assignment in the chain of the unit's assessment (its history shows
who was assigned), the chair in the global chain.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Membership, Role
from dti.web.accounts.policy import require_role
from dti.web.assessments.assignments import pillar_codes
from dti.web.assessments.models import (
    Assessment,
    Period,
    VerificationChair,
    VerifierAssignment,
)
from dti.web.assessments.verification_models import WHOLE_UNIT
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_event, audit_record, audit_write
from dti.web.errors import ConfirmationNeeded, InvalidInput
from dti.web.registry.models import Unit


def _require_verifier(user: AbstractBaseUser) -> None:
    role = Membership.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    if role != Role.VERIFIER:
        raise InvalidInput(_("%(user)s is not a verifier.") % {"user": user.get_username()})


def verifiers_assign(
    *,
    actor: Actor,
    period: Period,
    verifier: AbstractBaseUser,
    units: Sequence[Unit],
    pillar: str = WHOLE_UNIT,
    confirm: bool = False,
) -> list[VerifierAssignment]:
    """Assign ``verifier`` to each of ``units`` in ``period`` (the whole unit, or ``pillar``).
    More than one new unit at once needs ``confirm`` (the page lists them and asks); units
    already assigned are left as they are. Returns the assignments made."""
    require_role(actor, Role.ADMIN)
    _require_verifier(verifier)
    if not units:
        raise InvalidInput(_("Choose at least one unit."))
    with transaction.atomic():
        # The assessments are locked: their audit chains get the assignments' events.
        assessments = {
            a.unit_id: a
            for a in Assessment.objects.select_for_update(of=("self",))
            .select_related("unit", "framework")
            .filter(period=period, unit__in=[u.pk for u in units])
        }
        outside = [u.name for u in units if u.pk not in assessments]
        if outside:
            raise InvalidInput(_("These units are not assessed in this period."), problems=outside)
        if pillar != WHOLE_UNIT:
            lacking = [
                a.unit.name
                for a in assessments.values()
                if pillar not in set(pillar_codes(a.framework).values())
            ]
            if lacking:
                raise InvalidInput(
                    _("Pillar %(p)s is not part of these units' framework.") % {"p": pillar},
                    problems=lacking,
                )
        existing = set(
            VerifierAssignment.objects.filter(
                period=period, verifier_id=verifier.pk, pillar=pillar
            ).values_list("unit_id", flat=True)
        )
        new = [a for unit_id, a in assessments.items() if unit_id not in existing]
        if len(new) > 1 and not confirm:
            raise ConfirmationNeeded(
                _("Assign %(n)s units to %(user)s?")
                % {"n": len(new), "user": verifier.get_username()},
                problems=sorted(a.unit.name for a in new),
            )
        made = VerifierAssignment.objects.bulk_create(
            [
                VerifierAssignment(
                    period=period,
                    unit_id=a.unit_id,
                    verifier_id=verifier.pk,
                    pillar=pillar,
                    assigned_by=actor if actor.is_authenticated else None,
                )
                for a in new
            ]
        )
        saved = {x.unit_id: x for x in made}  # bulk_create sets the keys (PostgreSQL, SQLite)
        audit_write(
            [
                audit_event(
                    actor=actor,
                    action=AuditAction.VERIFIER_ASSIGN,
                    obj=saved[a.unit_id],
                    assessment=a,
                    field="pillar" if pillar else "unit",
                    new={"verifier": verifier.get_username(), "pillar": pillar or None},
                    label=f"{a.unit.name} → {verifier.get_username()}",
                )
                for a in new
            ]
        )
    return made


def verifier_unassign(*, actor: Actor, assignment: VerifierAssignment, reason: str = "") -> None:
    require_role(actor, Role.ADMIN)
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .filter(period_id=assignment.period_id, unit_id=assignment.unit_id)
            .first()
        )
        current = VerifierAssignment.objects.select_related("verifier", "unit").filter(
            pk=assignment.pk
        )
        row = current.first()
        if row is None:
            return
        audit_record(
            actor=actor,
            action=AuditAction.VERIFIER_UNASSIGN,
            obj=row,
            assessment=assessment,
            field="pillar" if row.pillar else "unit",
            old={"verifier": row.verifier.get_username(), "pillar": row.pillar or None},
            reason=reason.strip(),
            label=f"{row.unit.name} → {row.verifier.get_username()}",
        )
        row.delete()


def verification_chair_name(
    *, actor: Actor, period: Period, chair: AbstractBaseUser | None
) -> VerificationChair | None:
    """Name the working group's chair for ``period`` (None: nobody)."""
    require_role(actor, Role.ADMIN)
    if chair is not None:
        _require_verifier(chair)
    with transaction.atomic():
        current = (
            VerificationChair.objects.select_for_update()
            .select_related("chair")
            .filter(period=period)
            .first()
        )
        old = current.chair.get_username() if current is not None else None
        new = chair.get_username() if chair is not None else None
        if old == new:
            return current
        result: VerificationChair | None = None
        if chair is None:
            assert current is not None
            current.delete()
        else:
            result, _created = VerificationChair.objects.update_or_create(
                period=period,
                defaults={
                    "chair_id": chair.pk,
                    "named_by": actor if actor.is_authenticated else None,
                },
            )
        audit_record(
            actor=actor,
            action=AuditAction.VERIFICATION_CHAIR_NAME,
            obj=period,
            field="chair",
            old=old,
            new=new,
        )
    return result
