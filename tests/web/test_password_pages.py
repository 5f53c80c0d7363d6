"""Passwords without a shell (issue #13): everyone changes their own; a forgotten one is reset
through a one-time link sent by e-mail (through a real SMTP server started by the test)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.web.conftest import PASSWORD
from tests.web.smtp import Inbox

NEW = "mat-khau-moi-an-toan-2026"


def test_a_signed_in_user_changes_their_password(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["reporter"])
    page = client.get(reverse("password_change"))
    assert "Đổi mật khẩu" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert User.objects.get(username="reporter").check_password(NEW)


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(
    world: dict[str, Any], smtp: Inbox
) -> None:
    user = world["users"]["reporter"]
    user.email = "can.bo@sogtvt.quangnam.gov.vn"
    user.save(update_fields=["email"])
    client = Client()
    sent = client.post(reverse("password_reset"), {"email": user.email})
    assert sent.status_code == 302
    (message,) = smtp.to(user.email)
    assert message["Subject"] == "DTI: đặt mật khẩu mới"
    body = message.get_content()
    assert "Xin chào" in body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link is not None, body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert User.objects.get(username="reporter").check_password(NEW)
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert not again.context["validlink"]


def test_an_unknown_address_sends_nothing_and_says_the_same(
    world: dict[str, Any], smtp: Inbox
) -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.vn"})
    assert response.status_code == 302
    assert smtp.messages == []
