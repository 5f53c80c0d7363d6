"""Room: accounts — creating users with their role (admin work, and the dataset loader)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Membership, Role
from dti.web.accounts.policy import require_admin_of, require_units_admin
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.registry.models import Province, Unit


def user_create(
    *,
    actor: Actor | None,
    username: str,
    password: str | None,
    role: Role,
    unit: Unit | None = None,
    units: Sequence[Unit] = (),
    province: Province | None = None,
    full_name: str = "",
    check_role: bool = True,
) -> User:
    """A user with ``role`` in ``province`` (none: the national level); a reporter with its
    ``unit`` or ``units`` (its province is theirs when not given); ``password`` None: one that
    cannot sign in with a password (a service account)."""
    reported = [*([unit] if unit is not None else []), *units]
    if (role == Role.REPORTER) != bool(reported):
        raise InvalidInput(_("A reporter needs a unit; other roles have none."))
    if province is None and reported:
        province = reported[0].group.province
    if check_role:
        # An admin makes accounts of the own province only, reporters of its own units.
        require_admin_of(actor, province)
        require_units_admin(actor, *reported)
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        first, _sep, last = full_name.rpartition(" ")
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        membership = Membership.objects.create(user=user, role=role, province=province)
        if reported:
            membership.units.set(reported)
        audit_record(
            actor=actor,
            action=AuditAction.USER_CREATE,
            obj=user,
            new={
                "username": username,
                "role": str(role),
                "province": province.code if province else None,
                "units": [u.code for u in reported],
            },
        )
    return user
