"""Creating, changing, deactivating and reactivating accounts; every change audited with its
reason, each permission asked of the policy (own province, own province's units)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Membership, Role
from dti.web.accounts.passwords import password_mark
from dti.web.accounts.policy import (
    require_account_admin,
    require_assign_unit,
    require_manage_account,
)
from dti.web.accounts.services.invitations import Site, invitations_send
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record, audit_write, change_events
from dti.web.errors import Forbidden, InvalidInput
from dti.web.registry.models import Province, Unit


def email_problem(email: str, *, exclude: User | None = None) -> str | None:
    """Why ``email`` cannot be an account's address (malformed, or another account's)."""
    try:
        validate_email(email)
    except ValidationError:
        return _("%(email)s is not a valid e-mail address.") % {"email": email}
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        return _("Another account already has the e-mail address %(email)s.") % {"email": email}
    return None


def _check_units(actor: Actor | None, role: Role, units: Sequence[Unit], check_role: bool) -> None:
    if (role == Role.REPORTER) != bool(units):
        raise InvalidInput(_("A reporter needs a unit; other roles have none."))
    if check_role:
        for unit in units:
            require_assign_unit(actor, unit)


def _split_name(user: User, full_name: str) -> None:
    first, _sep, last = full_name.strip().rpartition(" ")
    user.first_name, user.last_name = first, last


def account_state(membership: Membership) -> dict[str, Any]:
    """What the audit trail records of an account, field by field."""
    user = membership.user
    return {
        "full_name": user.get_full_name(),
        "email": user.email,
        "phone": membership.phone,
        "role": str(membership.role),
        "units": sorted(u.code for u in membership.units.all()),
        "active": user.is_active,
    }


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
    email: str = "",
    phone: str = "",
    reason: str = "",
    invite: Site | None = None,
    check_role: bool = True,
) -> User:
    """A user with ``role`` in ``province`` (none: the national level); a reporter with its
    ``unit`` or ``units`` (its province is theirs when not given); ``password`` None: one that
    cannot sign in with a password until it is set through an e-mailed link.

    Made by an administrator (``check_role``), the account is in the administrator's province
    and a password typed for it must be changed at the first sign-in. ``invite``: e-mail the
    set-password link (in the transaction: if the mail server refuses, nothing is created)."""
    reported = [*([unit] if unit is not None else []), *units]
    if check_role:
        mine = require_account_admin(actor)
        if province is not None and province.pk != mine.province_id:
            # (asked for another province's account: refused, not quietly made in the own)
            raise Forbidden(_("You make the accounts of your own province only."))
        province = mine.province
    elif province is None and reported:
        province = reported[0].group.province
    _check_units(actor, role, reported, check_role)
    if email:
        problem = email_problem(email)
        if problem:
            raise InvalidInput(problem)
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("The user name %(name)s is taken.") % {"name": username})
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, email=email)
        _split_name(user, full_name)
        user.save(update_fields=["first_name", "last_name"])
        membership = Membership(user=user, role=role, province=province, phone=phone)
        if check_role and password is not None:
            membership.admin_password_mark = password_mark(user)
        membership.save()
        if reported:
            membership.units.set(reported)
        audit_record(
            actor=actor,
            action=AuditAction.USER_CREATE,
            obj=user,
            new={
                "username": username,
                "full_name": user.get_full_name(),
                "email": email,
                "role": str(role),
                "province": province.code if province else None,
                "units": [u.code for u in reported],
            },
            reason=reason,
        )
        if invite is not None:
            if not email:
                raise InvalidInput(_("The account has no e-mail address."))
            invitations_send([user], invite)
    return user


@dataclass(frozen=True)
class AccountChange:
    """What an administrator may change of an account."""

    full_name: str
    email: str
    phone: str
    role: Role
    units: Sequence[Unit]


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the change."))
    return reason


def _locked(account: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("user").get(pk=account.pk)


def account_update(
    *, actor: Actor, account: Membership, change: AccountChange, reason: str
) -> Membership:
    """Change an account's name, e-mail, phone, role and units; one audit event per field."""
    require_manage_account(actor, account)
    reason = _require_reason(reason)
    _check_units(actor, change.role, change.units, True)
    if change.email:
        problem = email_problem(change.email, exclude=account.user)
        if problem:
            raise InvalidInput(problem)
    if account.user_id == actor.pk and change.role != Role.ADMIN:
        raise InvalidInput(_("You cannot take the administrator role from yourself."))
    with transaction.atomic():
        account = _locked(account)
        before = account_state(account)
        user = account.user
        _split_name(user, change.full_name)
        user.email = change.email
        user.save(update_fields=["first_name", "last_name", "email"])
        account.role, account.phone = change.role, change.phone
        account.save(update_fields=["role", "phone"])
        account.units.set(change.units)
        events = change_events(
            actor=actor,
            action=AuditAction.USER_UPDATE,
            obj=user,
            before=before,
            after=account_state(account),
            reason=reason,
        )
        if not events:
            raise InvalidInput(_("Nothing was changed."))
        audit_write(events)
    return account


def _set_active(
    *, actor: Actor, account: Membership, active: bool, reason: str, action: AuditAction
) -> Membership:
    require_manage_account(actor, account)
    reason = _require_reason(reason)
    if account.user_id == actor.pk:
        raise InvalidInput(_("You cannot deactivate your own account."))
    with transaction.atomic():
        account = _locked(account)
        if account.user.is_active == active:
            raise InvalidInput(
                _("The account is already active.") if active else _("The account is inactive.")
            )
        account.user.is_active = active
        account.user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=action,
            obj=account.user,
            field="active",
            old=not active,
            new=active,
            reason=reason,
        )
    return account


def account_deactivate(*, actor: Actor, account: Membership, reason: str) -> Membership:
    """The account can no longer sign in (its history stays)."""
    return _set_active(
        actor=actor,
        account=account,
        active=False,
        reason=reason,
        action=AuditAction.USER_DEACTIVATE,
    )


def account_reactivate(*, actor: Actor, account: Membership, reason: str) -> Membership:
    return _set_active(
        actor=actor, account=account, active=True, reason=reason, action=AuditAction.USER_REACTIVATE
    )
