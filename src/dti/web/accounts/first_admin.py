"""The first admin of a province, made from the command line on an empty database
(``manage.py dti_create_admin``); every later account is made by that admin in the pages.

The shell's power stops there: a province that already has an admin gets no other this way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from dti.web.accounts.models import Membership, Role
from dti.web.accounts.services import user_create
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.registry.models import Province

REASON = "first admin of the province (manage.py dti_create_admin)"


@dataclass(frozen=True)
class FirstAdmin:
    user: User
    province: Province
    province_created: bool


def first_admin_create(
    *,
    province_code: str,
    province_name: str,
    username: str,
    email: str,
    password: str | None,
    full_name: str = "",
) -> FirstAdmin:
    """Create the province if missing and its first admin; audited (actor: none, the system).

    ``password`` None: the account cannot sign in with a password until the one-time link of
    :func:`set_password_path` is followed."""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(_("%(email)s is not an e-mail address.") % {"email": email}) from exc
    with transaction.atomic():
        province = Province.objects.filter(code=province_code).first()
        created = province is None
        if province is None:
            if not province_name.strip():
                raise InvalidInput(_("A new province needs its name (--province-name)."))
            province = Province(code=province_code, name=province_name.strip())
            province.full_clean()
            province.save()
            audit_record(
                actor=None,
                action=AuditAction.PROVINCE_CREATE,
                obj=province,
                new={"code": province.code, "name": province.name},
                reason=REASON,
            )
        elif Membership.objects.filter(province=province, role=Role.ADMIN).exists():
            raise InvalidInput(
                _("Province %(code)s already has an admin: accounts are made in the pages.")
                % {"code": province.code}
            )
        if User.objects.filter(username=username).exists():
            raise InvalidInput(_("The user name %(name)s is taken.") % {"name": username})
        if password is not None:
            candidate = User(username=username, email=email)
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                raise InvalidInput(_("The password was refused."), problems=exc.messages) from exc
        user = user_create(
            actor=None,
            username=username,
            password=password,
            role=Role.ADMIN,
            province=province,
            full_name=full_name,
            check_role=False,
        )
        user.email = email
        user.save(update_fields=["email"])
    return FirstAdmin(user=user, province=province, province_created=created)


def set_password_path(user: User) -> str:
    """The one-time set-password link's path (Django's password-reset token: it stops working
    once the password is set, and after ``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", args=[uid, token])
