"""``manage.py dti_create_admin``: the first admin of a province on an empty database, audited;
after it nothing needs a shell (the admin signs in and works in the pages)."""

from __future__ import annotations

import io
import re
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from dti.web.accounts.models import Membership, Role
from dti.web.audit.models import AuditEvent
from dti.web.audit.verify import audit_verify
from dti.web.registry.models import Province

STRONG = "Quang-Nam-2025-tot-lam"
ARGS = [
    "--province",
    "quang-nam",
    "--province-name",
    "Quảng Nam",
    "--username",
    "qn-admin",
    "--email",
    "cntt@skhcn.quangnam.gov.vn",
]


def signed_in(username: str, password: str) -> Client | None:
    """A client signed in through the login page (as a person would), or None if refused."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client if response.status_code == 302 else None


def run(monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("dti_create_admin", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_first_admin_and_the_province_are_made_audited_and_can_sign_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = run(monkeypatch, *ARGS, "--password-stdin", stdin=f"{STRONG}\n")
    assert "qn-admin" in output and "Quảng Nam" in output and STRONG not in output
    province = Province.objects.get(code="quang-nam")
    membership = Membership.objects.get(user__username="qn-admin")
    assert (membership.role, membership.province) == (Role.ADMIN, province)
    assert membership.user.email == "cntt@skhcn.quangnam.gov.vn"
    events = {e.action: e for e in AuditEvent.objects.all()}
    assert set(events) == {"province_create", "user_create"}
    assert events["province_create"].actor is None and "dti_create_admin" in (
        events["province_create"].reason
    )
    assert events["user_create"].new["province"] == "quang-nam"
    assert audit_verify().intact
    client = signed_in("qn-admin", STRONG)
    assert client is not None
    # The admin works in the pages from here: the period form is for its province.
    page = client.get(reverse("period_create"))
    assert page.status_code == 200
    assert page.context["province"] == province


@pytest.mark.django_db
def test_the_password_is_asked_twice_at_the_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run(monkeypatch, *ARGS)
    assert signed_in("qn-admin", STRONG) is not None
    answers = iter([STRONG, "something-else-9"])
    with pytest.raises(CommandError, match="differ"):
        run(monkeypatch, *ARGS[:4], "--username", "other", "--email", "o@x.vn")


@pytest.mark.django_db
def test_a_province_with_an_admin_gets_no_other_from_the_shell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run(monkeypatch, *ARGS, "--password-stdin", stdin=f"{STRONG}\n")
    second = [*ARGS[:4], "--username", "qn-admin-2", "--email", "x@quangnam.gov.vn"]
    with pytest.raises(CommandError, match="đã có quản trị viên"):
        run(monkeypatch, *second, "--password-stdin", stdin=f"{STRONG}\n")
    assert not User.objects.filter(username="qn-admin-2").exists()
    # Another province is another matter.
    other = ["--province", "lao-cai", "--province-name", "Lào Cai"]
    other += ["--username", "lc-admin", "--email", "a@laocai.gov.vn"]
    run(monkeypatch, *other, "--password-stdin", stdin=f"{STRONG}\n")
    assert Membership.objects.get(user__username="lc-admin").province.code == "lao-cai"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (ARGS, "123\n", "Mật khẩu không được chấp nhận"),
        ([*ARGS[:2], *ARGS[4:]], f"{STRONG}\n", "cần có tên"),
        ([*ARGS[:-1], "not-an-address"], f"{STRONG}\n", "không phải là địa chỉ thư điện tử"),
    ],
    ids=["weak-password", "new-province-without-name", "bad-email"],
)
def test_a_refusal_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(monkeypatch, *args, "--password-stdin", stdin=stdin)
    assert not User.objects.exists()
    assert not Province.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_one_time_link_sets_the_password_once(monkeypatch: pytest.MonkeyPatch) -> None:
    output = run(monkeypatch, *ARGS, "--link", "http://127.0.0.1:8000/")
    link = re.search(r"http://127\.0\.0\.1:8000(/\S+)", output)
    assert link is not None, output
    user = User.objects.get(username="qn-admin")
    assert not user.has_usable_password()
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302
    assert signed_in("qn-admin", STRONG) is not None
    again = Client().get(link.group(1), follow=True)
    assert not again.context["validlink"]  # the link worked once


def test_the_command_is_documented_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "manage.py dti_create_admin --province" in readme
