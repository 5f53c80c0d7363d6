"""Creating users with their role (admin work, and the demo loader)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from dti.web.accounts.models import Membership, Role
from dti.web.accounts.policy import require_role
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.registry.models import Unit


def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: Role,
    unit: Unit | None = None,
    full_name: str = "",
    check_role: bool = True,
) -> User:
    if check_role:
        require_role(actor, Role.ADMIN)
    if (role == Role.REPORTER) != (unit is not None):
        raise InvalidInput("A reporter needs a unit; other roles have none.")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        first, _, last = full_name.rpartition(" ")
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        Membership.objects.create(user=user, role=role, unit=unit)
        audit_record(
            actor=actor,
            action=AuditAction.USER_CREATE,
            obj=user,
            new={"username": username, "role": str(role), "unit": unit.code if unit else None},
        )
    return user
