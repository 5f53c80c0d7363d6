"""The administrator's account pages (issue #13): list, create, edit, deactivate and
reactivate, send the set-password link again — each change audited with its reason, and
only for the accounts and units of the administrator's own province."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.web.conftest import PASSWORD
from tests.web.smtp import Inbox

from dti.web.accounts.models import Membership, Role
from dti.web.accounts.services import AccountChange, account_update
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden


def signs_in(username: str, password: str = PASSWORD) -> bool:
    """Through the login page (the axes backend needs the request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def admin_client(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["users"]["admin"])
    return client


def account(username: str) -> Membership:
    return Membership.objects.select_related("user").get(user__username=username)


def test_the_list_shows_only_the_own_provinces_accounts(
    world: dict[str, Any], other_province: dict[str, Any]
) -> None:
    page = admin_client(world).get(reverse("account_list")).content.decode()
    assert "reporter" in page and "verifier" in page
    assert "reporter-dn" not in page and "admin-dn" not in page
    client = Client()
    client.force_login(other_province["admin"])
    theirs = client.get(reverse("account_list")).content.decode()
    assert "reporter-dn" in theirs and ">outsider<" not in theirs


def test_the_list_filters_by_role_unit_and_status_and_is_paginated(
    world: dict[str, Any],
) -> None:
    client = admin_client(world)

    def usernames(response: Any) -> set[str]:
        return {m.user.username for m in response.context["page"].object_list}

    assert usernames(client.get(reverse("account_list"), {"role": "reporter"})) == {
        "reporter",
        "outsider",
    }
    unit_b = world["units"]["b"]
    assert usernames(client.get(reverse("account_list"), {"unit": unit_b.pk})) == {"outsider"}
    User.objects.filter(username="leader").update(is_active=False)
    assert usernames(client.get(reverse("account_list"), {"active": "0"})) == {"leader"}
    for n in range(30):
        Membership.objects.create(user=User.objects.create_user(f"extra{n:02}"), role=Role.LEADER)
    first = client.get(reverse("account_list"), {"role": "leader"})
    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("account_list"), {"role": "leader", "page": 2})
    assert len(second.context["page"].object_list) == 6
    assert "role=leader&amp;page=1" in second.content.decode()


def test_creating_an_account_without_a_password_e_mails_the_link(
    world: dict[str, Any], smtp: Inbox
) -> None:
    client = admin_client(world)
    unit_a, unit_c = world["units"]["a"], world["units"]["c"]
    response = client.post(
        reverse("account_create"),
        {
            "username": "nguyen-van-a",
            "full_name": "Nguyễn Văn A",
            "email": "nva@quangnam.gov.vn",
            "phone": "0905 123 456",
            "role": "reporter",
            "units": [unit_a.pk, unit_c.pk],
            "reason": "Cán bộ mới",
        },
    )
    assert response.status_code == 302
    made = account("nguyen-van-a")
    assert made.unit_ids == {unit_a.pk, unit_c.pk} and made.phone == "0905 123 456"
    assert not made.user.has_usable_password()
    (message,) = smtp.to("nva@quangnam.gov.vn")
    assert message["Subject"] == "DTI: mời đặt mật khẩu"
    body = message.get_content()
    assert "Xin chào Nguyễn Văn A" in body and "nguyen-van-a" in body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body)
    assert link is not None
    reset = Client()
    form = reset.get(link.group(1), follow=True)
    reset.post(form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert signs_in("nguyen-van-a")
    event = AuditEvent.objects.get(action="user_create", object_id=str(made.user_id))
    assert event.actor_name == "admin" and event.reason == "Cán bộ mới"
    assert sorted(event.new["units"]) == ["huyen-c", "so-a"]


def test_another_provinces_unit_is_neither_offered_nor_accepted(
    world: dict[str, Any], other_province: dict[str, Any]
) -> None:
    client = admin_client(world)
    theirs = other_province["unit"]
    page = client.get(reverse("account_create"))
    assert theirs.code not in page.content.decode()
    refused = client.post(
        reverse("account_create"),
        {
            "username": "x",
            "full_name": "X Y",
            "password": PASSWORD,
            "role": "reporter",
            "units": [theirs.pk],
        },
    )
    assert refused.status_code == 200 and "units" in refused.context["form"].errors
    assert not User.objects.filter(username="x").exists()
    with pytest.raises(Forbidden):
        account_update(
            actor=world["users"]["admin"],
            account=account("reporter"),
            change=AccountChange("R", "", "", Role.REPORTER, [theirs]),
            reason="thử",
        )


def test_editing_records_each_field_with_who_old_new_and_why(world: dict[str, Any]) -> None:
    client = admin_client(world)
    target = account("reporter")
    unit_a, unit_b = world["units"]["a"], world["units"]["b"]
    data = {
        "full_name": "Trần Thị B",
        "email": "ttb@quangnam.gov.vn",
        "phone": "",
        "role": "reporter",
        "units": [unit_a.pk, unit_b.pk],
    }
    missing_reason = client.post(reverse("account_edit", args=[target.pk]), data)
    assert missing_reason.status_code == 200 and "reason" in missing_reason.context["form"].errors
    saved = client.post(
        reverse("account_edit", args=[target.pk]), {**data, "reason": "Kiêm nhiệm Sở Xây dựng"}
    )
    assert saved.status_code == 302
    events = {
        e.field: e
        for e in AuditEvent.objects.filter(action="user_update", object_id=target.user_id)
    }
    assert set(events) == {"full_name", "email", "units"}
    assert events["units"].old == ["so-a"] and events["units"].new == ["so-a", "so-b"]
    assert {e.reason for e in events.values()} == {"Kiêm nhiệm Sở Xây dựng"}
    assert {e.actor_name for e in events.values()} == {"admin"}
    assert account("reporter").unit_ids == {unit_a.pk, unit_b.pk}


def test_an_e_mail_of_another_account_is_refused(world: dict[str, Any]) -> None:
    User.objects.filter(username="outsider").update(email="chung@quangnam.gov.vn")
    client = admin_client(world)
    target = account("reporter")
    response = client.post(
        reverse("account_edit", args=[target.pk]),
        {
            "full_name": "R",
            "email": "CHUNG@quangnam.gov.vn",
            "role": "reporter",
            "units": [world["units"]["a"].pk],
            "reason": "sửa",
        },
    )
    assert response.status_code == 200
    assert "đã thuộc về một tài khoản khác" in str(response.context["form"].non_field_errors())


def test_deactivation_needs_a_reason_and_a_confirmation_and_can_be_undone(
    world: dict[str, Any],
) -> None:
    client = admin_client(world)
    target = account("outsider")
    url = reverse("account_set_active", args=[target.pk])
    client.post(url, {"active": "0", "reason": "Nghỉ hưu"})  # no confirmation
    assert User.objects.get(username="outsider").is_active
    client.post(url, {"active": "0", "reason": "Nghỉ hưu", "confirm": "on"})
    assert not User.objects.get(username="outsider").is_active
    assert not signs_in("outsider")
    client.post(url, {"active": "1", "reason": "Quay lại làm việc", "confirm": "on"})
    assert signs_in("outsider")
    trail = AuditEvent.objects.filter(object_id=str(target.user_id), field="active").order_by("at")
    assert [(e.action, e.old, e.new, e.reason) for e in trail] == [
        ("user_deactivate", True, False, "Nghỉ hưu"),
        ("user_reactivate", False, True, "Quay lại làm việc"),
    ]


def test_an_admin_cannot_deactivate_themself(world: dict[str, Any]) -> None:
    client = admin_client(world)
    me = account("admin")
    client.post(
        reverse("account_set_active", args=[me.pk]),
        {"active": "0", "reason": "x", "confirm": "on"},
    )
    assert User.objects.get(username="admin").is_active


def test_the_set_password_link_is_sent_again(world: dict[str, Any], smtp: Inbox) -> None:
    User.objects.filter(username="reporter").update(email="r@quangnam.gov.vn")
    client = admin_client(world)
    target = account("reporter")
    response = client.post(reverse("account_send_link", args=[target.pk]))
    assert response.status_code == 302
    assert len(smtp.to("r@quangnam.gov.vn")) == 1
    assert AuditEvent.objects.filter(action="user_invite", object_id=target.user_id).exists()


def test_another_provinces_account_is_not_found_on_every_page(
    world: dict[str, Any], other_province: dict[str, Any], smtp: Inbox
) -> None:
    client = admin_client(world)
    theirs = account("reporter-dn")
    for name in ("account_edit", "account_set_active", "account_send_link"):
        response = client.post(
            reverse(name, args=[theirs.pk]),
            {"active": "0", "reason": "x", "confirm": "on", "full_name": "x", "role": "leader"},
        )
        assert response.status_code == 404, name
    assert User.objects.get(username="reporter-dn").is_active
    assert smtp.messages == []


@pytest.mark.parametrize("who", ["reporter", "verifier", "leader"])
def test_other_roles_cannot_open_the_account_pages(world: dict[str, Any], who: str) -> None:
    client = Client()
    client.force_login(world["users"][who])
    target = account("outsider")
    for url in (
        reverse("account_list"),
        reverse("account_create"),
        reverse("account_edit", args=[target.pk]),
        reverse("reporters_bulk"),
        reverse("reporters_template"),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("account_set_active", args=[target.pk]),
        reverse("account_send_link", args=[target.pk]),
    ):
        assert client.post(url, {"active": "0", "reason": "x", "confirm": "on"}).status_code == 403
    assert User.objects.get(username="outsider").is_active


def test_the_policy_lets_an_admin_manage_only_the_own_provinces_accounts_and_units(
    world: dict[str, Any], other_province: dict[str, Any]
) -> None:
    from dti.web.accounts.policy import (
        assignable_units,
        can_manage_account,
        managed_accounts,
        unit_assign_refusal,
    )
    from dti.web.registry.models import Unit

    ours, theirs = world["users"]["admin"], other_province["admin"]
    dn_reporter, qn_reporter = account("reporter-dn"), account("reporter")
    assert can_manage_account(ours, qn_reporter) and not can_manage_account(ours, dn_reporter)
    assert can_manage_account(theirs, dn_reporter) and not can_manage_account(theirs, qn_reporter)
    assert not can_manage_account(world["users"]["leader"], qn_reporter)
    assert set(managed_accounts(theirs, Membership.objects.all())) == {
        account("admin-dn"),
        dn_reporter,
    }
    assert list(assignable_units(theirs, Unit.objects.all())) == [other_province["unit"]]
    assert unit_assign_refusal(ours, other_province["unit"]) is not None
    assert unit_assign_refusal(theirs, other_province["unit"]) is None


def test_the_other_provinces_admin_creates_accounts_in_their_own_province(
    world: dict[str, Any], other_province: dict[str, Any], smtp: Inbox
) -> None:
    client = Client()
    client.force_login(other_province["admin"])
    response = client.post(
        reverse("account_create"),
        {
            "username": "dn-moi",
            "full_name": "Hồ Văn Đà",
            "email": "da@danang.gov.vn",
            "role": "reporter",
            "units": [other_province["unit"].pk],
        },
    )
    assert response.status_code == 302
    assert account("dn-moi").province == other_province["province"]
    assert len(smtp.to("da@danang.gov.vn")) == 1
