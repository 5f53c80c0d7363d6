"""Room: registry — a province's comparison groups, made in a page (the units import and the
period form need them; a new province starts with none)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_administer_units
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_parsed
from dti.web.registry.models import Province, UnitGroup, UnitKind


def framework_groups() -> dict[str, tuple[str, str]]:
    """The groups the stored frameworks score (code → Vietnamese and English name): a
    province's groups take their codes from them, so a framework can score each group."""
    found: dict[str, tuple[str, str]] = {}
    for version in FrameworkVersion.objects.order_by("code", "-uploaded_at"):
        for group in framework_parsed(version).groups:
            found.setdefault(group.code, (group.name.vi, group.name.en or ""))
    return found


def group_add(
    *,
    actor: Actor,
    province: Province | None,
    code: str,
    unit_kind: UnitKind,
    name: str = "",
    order: int = 0,
) -> UnitGroup:
    """Add a comparison group to ``province`` (its admin's); ``code`` is a group of a stored
    framework, ``name`` the framework's unless given. Audited."""
    require_administer_units(actor, province)
    known = framework_groups()
    if code not in known:
        raise InvalidInput(
            _("%(code)s is not a group of any stored framework (known: %(known)s).")
            % {"code": code, "known": ", ".join(sorted(known)) or _("none")}
        )
    if UnitGroup.objects.filter(province=province, code=code).exists():
        raise InvalidInput(_("The province already has the group %(code)s.") % {"code": code})
    vi, en = known[code]
    with transaction.atomic():
        group = UnitGroup.objects.create(
            province=province,
            code=code,
            name=name.strip() or vi,
            name_en=en,
            unit_kind=unit_kind,
            order=order,
        )
        audit_record(
            actor=actor,
            action=AuditAction.GROUP_ADD,
            obj=group,
            new={
                "province": province.code if province else None,
                "code": code,
                "name": group.name,
                "unit_kind": str(unit_kind),
            },
        )
    return group
