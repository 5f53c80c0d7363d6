"""What comes after the password (issue #13): a password typed by an administrator must be
changed at the first sign-in; with DTI_TWO_FACTOR on, administrators and verifiers enrol a
TOTP device and give a token at each sign-in (administrators get recovery tokens)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.conftest import PASSWORD

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.audit.models import AuditEvent

OWN = "mat-khau-cua-toi-2026"


def sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def token_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# -- forced password change -----------------------------------------------------------------


def test_a_password_set_by_an_admin_must_be_changed_at_the_first_sign_in(
    world: dict[str, Any],
) -> None:
    user_create(
        actor=world["users"]["admin"],
        username="moi",
        password=PASSWORD,
        role=Role.LEADER,
        full_name="Người Mới",
    )
    client = sign_in("moi")
    for url in (reverse("home"), reverse("audit_list"), reverse("password_reset")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": OWN, "new_password2": OWN},
    )
    assert changed.status_code == 302
    # (a leader's home is a redirect to the newest period's dashboard: followed)
    assert client.get(reverse("home"), follow=True).status_code == 200
    assert sign_in("moi", OWN).get(reverse("home"), follow=True).status_code == 200


def test_accounts_made_without_an_admin_typing_the_password_are_not_forced(
    world: dict[str, Any],
) -> None:
    # The fixtures' accounts (the loader, the first-admin command) chose their own.
    assert sign_in("reporter").get(reverse("home")).status_code == 200


def test_a_password_reset_by_an_admin_again_forces_the_change_again(
    world: dict[str, Any],
) -> None:
    from dti.web.accounts.passwords import must_choose_password, password_mark

    user = User.objects.get(username="verifier")
    user.set_password("tam-thoi-123456")
    user.save()
    user.membership.admin_password_mark = password_mark(user)
    user.membership.save()
    assert must_choose_password(User.objects.get(username="verifier"))
    user.set_password(OWN)  # e.g. through the e-mailed link
    user.save()
    assert not must_choose_password(User.objects.get(username="verifier"))


# -- two-factor sign-in -------------------------------------------------------------------


def test_two_factor_is_off_by_default(world: dict[str, Any]) -> None:
    assert sign_in("admin").get(reverse("home")).status_code == 200


@pytest.mark.parametrize("who", ["admin", "verifier"])
def test_admins_and_verifiers_enrol_then_give_a_token_at_each_sign_in(
    world: dict[str, Any], settings: Any, who: str
) -> None:
    settings.DTI_TWO_FACTOR = True
    client = sign_in(who)
    assert client.get(reverse("home"))["Location"] == reverse("two_factor_enrol")
    page = client.get(reverse("two_factor_enrol"))
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "Đăng nhập hai lớp" in html
    device = TOTPDevice.objects.get(user__username=who, confirmed=False)
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    wrong = client.post(reverse("two_factor_enrol"), {"token": "000000"})
    assert wrong.status_code == 200 and "token" in wrong.context["form"].errors
    device.refresh_from_db()
    device.throttle_reset()  # (a failure makes django-otp wait before the next try)
    done = client.post(reverse("two_factor_enrol"), {"token": token_of(device)})
    assert done.status_code == 200
    recovery = done.context["recovery"]
    assert (len(recovery) == 10) == (who == "admin") and (recovery == []) == (who != "admin")
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enrol", actor__username=who).exists()
    # The next sign-in asks for a token (a fresh one: a TOTP token is accepted once).
    again = sign_in(who)
    assert again.get(reverse("home"))["Location"] == reverse("two_factor_verify")
    assert again.get(reverse("two_factor_enrol"))["Location"] == reverse("two_factor_verify")
    bad = again.post(reverse("two_factor_verify"), {"token": "123456"})
    assert bad.status_code == 200 and again.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset(commit=False)
    device.last_t = -1  # (the token of this time step was used by the enrolment)
    device.save()
    assert again.post(reverse("two_factor_verify"), {"token": token_of(device)}).status_code == 302
    assert again.get(reverse("home")).status_code == 200


def test_an_admins_recovery_token_works_once(world: dict[str, Any], settings: Any) -> None:
    settings.DTI_TWO_FACTOR = True
    client = sign_in("admin")
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user__username="admin")
    recovery = client.post(reverse("two_factor_enrol"), {"token": token_of(device)}).context[
        "recovery"
    ]
    first = sign_in("admin")
    assert first.post(reverse("two_factor_verify"), {"token": recovery[0]}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    second = sign_in("admin")
    assert second.post(reverse("two_factor_verify"), {"token": recovery[0]}).status_code == 200
    assert second.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("who", ["reporter", "leader"])
def test_other_roles_sign_in_without_a_second_factor(
    world: dict[str, Any], settings: Any, who: str
) -> None:
    settings.DTI_TWO_FACTOR = True
    assert sign_in(who).get(reverse("home"), follow=True).status_code == 200


def test_the_two_factor_pages_are_closed_to_those_who_sign_in_without(
    world: dict[str, Any], settings: Any
) -> None:
    settings.DTI_TWO_FACTOR = True
    reporter = sign_in("reporter")
    for name in ("two_factor_enrol", "two_factor_verify"):
        assert reporter.get(reverse(name))["Location"] == reverse("home")
    assert not TOTPDevice.objects.exists()
