"""Two-factor sign-in (TOTP, django-otp) for the roles the policy names, when DTI_TWO_FACTOR
is on: enrolment (a key shown as text and as a QR code), the token asked after the password,
and single-use recovery tokens for administrators (who would otherwise need a shell to get
back in after losing their phone)."""

from __future__ import annotations

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dti.web.accounts.policy import gets_recovery_tokens
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput

RECOVERY_TOKENS = 10


def has_confirmed_device(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def enrolment_device(user: User) -> TOTPDevice:
    """The user's device being enrolled (made on the first visit, kept until confirmed)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "DTI"}
    )
    return device


def device_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app's "enter a key" screen wants it (base32, grouped)."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def device_qr_data_uri(device: TOTPDevice) -> str:
    """The provisioning address as an SVG QR code (a data URI: the CSP allows data images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def two_factor_enrol(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str]:
    """Confirm ``device`` with a token it made; the session is verified at once. Returns the
    recovery tokens (administrators only), shown once."""
    user = request.user
    assert isinstance(user, User)
    if device.user_id != user.pk or device.confirmed:
        raise InvalidInput(_("Start the enrolment again."))
    if not device.verify_token(token.replace(" ", "")):
        raise InvalidInput(_("The code is not right; check the time on the phone and try again."))
    recovery: list[str] = []
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        if gets_recovery_tokens(user):
            static, _created = StaticDevice.objects.get_or_create(
                user=user, name="recovery", defaults={"confirmed": True}
            )
            static.token_set.all().delete()
            recovery = [StaticToken.random_token() for _ in range(RECOVERY_TOKENS)]
            static.token_set.bulk_create([StaticToken(device=static, token=t) for t in recovery])
        audit_record(
            actor=user,
            action=AuditAction.TWO_FACTOR_ENROL,
            obj=user,
            field="two_factor",
            new={"totp": True, "recovery_tokens": len(recovery)},
        )
    otp_login(request, device)
    return recovery


def two_factor_verify(*, request: HttpRequest, token: str) -> None:
    """Accept a token of any of the user's confirmed devices (a recovery token is used up)."""
    user = request.user
    assert isinstance(user, User)
    device = match_token(user, token.replace(" ", ""))
    if device is None:
        raise InvalidInput(_("The code is not right."))
    otp_login(request, device)
