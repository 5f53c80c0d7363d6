"""Verification by assignment: the admin assigns verifiers to units or pillars and names the
chair; a verifier sees and verifies only what is assigned (403 on page, action and API), the
chair signs off; a period without assignments works as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import PASSWORD, advance, entry

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.api.services import token_create
from dti.web.assessments.models import VerifierAssignment
from dti.web.assessments.services import (
    assessment_transition,
    entry_verify,
    verification_chair_name,
    verifier_unassign,
    verifiers_assign,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.errors import ConfirmationNeeded, Forbidden, InvalidInput


@pytest.fixture
def team(world: dict[str, Any]) -> dict[str, Any]:
    """Two more verifiers: ``assigned`` (unit A, whole) and ``pillar2`` (unit A, pillar 2);
    ``verifier`` of the world is assigned nothing; ``chair`` chairs the group."""
    made = {
        name: user_create(
            actor=None, username=name, password=PASSWORD, role=Role.VERIFIER, check_role=False
        )
        for name in ("assigned", "pillar2", "chair")
    }
    admin, period, a = world["users"]["admin"], world["period"], world["units"]["a"]
    advance(world, world["mine"], "under_verification")  # before anyone is assigned
    verifiers_assign(actor=admin, period=period, verifier=made["assigned"], units=[a])
    verifiers_assign(actor=admin, period=period, verifier=made["pillar2"], units=[a], pillar="2")
    verification_chair_name(actor=admin, period=period, chair=made["chair"])
    world["mine"].refresh_from_db()
    return made


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_period_without_assignments_lets_every_verifier_verify_as_before(
    world: dict[str, Any],
) -> None:
    mine = advance(world, world["mine"], "under_verification")
    verified = entry_verify(
        actor=world["users"]["verifier"], entry=entry(mine, "1.1"), version=1, adjust=False
    )
    assert verified.verdict == "accepted"


def test_an_unassigned_verifier_gets_403_on_the_page_the_action_and_the_api(
    world: dict[str, Any], team: dict[str, Any]
) -> None:
    mine = world["mine"]
    unassigned = _client(world["users"]["verifier"])
    e = entry(mine, "1.1")
    assert unassigned.get(f"/assessments/{mine.pk}/").status_code == 403
    assert unassigned.get(f"/assessments/{mine.pk}/history/").status_code == 403
    verify = unassigned.post(
        f"/assessments/{mine.pk}/entries/{e.pk}/verify/", {"version": 1, "decision": "accept"}
    )
    assert verify.status_code == 403
    ask = unassigned.post(
        f"/assessments/{mine.pk}/entries/{e.pk}/ask/",
        {"reason": "other", "question": "?", "reply_by": "2099-01-01"},
    )
    assert ask.status_code == 403
    finish = unassigned.post(
        f"/assessments/{mine.pk}/transition/", {"name": "finish_verification", "accept_rest": "on"}
    )
    assert finish.status_code == 403
    token = token_create(actor=None, user=world["users"]["verifier"]).secret
    api = Client().get(f"/api/v1/assessments/{mine.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "forbidden"
    e.refresh_from_db()
    assert e.verdict == "pending"
    with pytest.raises(Forbidden):
        entry_verify(actor=world["users"]["verifier"], entry=e, version=e.version, adjust=False)


def test_an_unassigned_verifier_does_not_see_the_unit_in_lists(
    world: dict[str, Any], team: dict[str, Any]
) -> None:
    period = world["period"]
    page = _client(world["users"]["verifier"]).get(f"/periods/{period.pk}/").content.decode()
    assert "Sở Giao thông vận tải" not in page
    mine = _client(team["assigned"]).get(f"/periods/{period.pk}/").content.decode()
    assert "Sở Giao thông vận tải" in mine
    token = token_create(actor=None, user=world["users"]["verifier"]).secret
    listed = Client().get(
        f"/api/v1/periods/{period.pk}/assessments", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert listed.status_code == 200
    assert [a["unit"] for a in listed.json()] == []


def test_an_assigned_verifier_opens_and_verifies_the_unit(
    world: dict[str, Any], team: dict[str, Any]
) -> None:
    mine = world["mine"]
    assert _client(team["assigned"]).get(f"/assessments/{mine.pk}/").status_code == 200
    done = entry_verify(actor=team["assigned"], entry=entry(mine, "1.1"), version=1, adjust=False)
    assert done.verdict == "accepted"


def test_a_pillar_verifier_verifies_only_that_pillar(
    world: dict[str, Any], team: dict[str, Any]
) -> None:
    mine = world["mine"]
    client = _client(team["pillar2"])
    page = client.get(f"/assessments/{mine.pk}/")
    assert page.status_code == 200
    e11, e21 = entry(mine, "1.1"), entry(mine, "2.1")
    refused = client.post(
        f"/assessments/{mine.pk}/entries/{e11.pk}/verify/", {"version": 1, "decision": "accept"}
    )
    assert refused.status_code == 403
    assert entry_verify(actor=team["pillar2"], entry=e21, version=1, adjust=False).verdict == (
        "accepted"
    )
    # The page offers the verdict form on pillar 2's indicators only.
    html = page.content.decode()
    assert f"/entries/{e21.pk}/verify/" in html
    assert f"/entries/{e11.pk}/verify/" not in html


def test_only_the_chair_signs_the_verification_off(
    world: dict[str, Any], team: dict[str, Any]
) -> None:
    mine = world["mine"]
    with pytest.raises(Forbidden):
        assessment_transition(
            actor=team["assigned"], assessment=mine, name="finish_verification", accept_rest=True
        )
    done = assessment_transition(
        actor=team["chair"], assessment=mine, name="finish_verification", accept_rest=True
    )
    assert done.status == "verified"


def test_without_a_chair_a_verifier_assigned_the_whole_unit_signs_off(
    world: dict[str, Any], team: dict[str, Any]
) -> None:
    verification_chair_name(actor=world["users"]["admin"], period=world["period"], chair=None)
    mine = world["mine"]
    with pytest.raises(Forbidden):
        assessment_transition(
            actor=team["pillar2"], assessment=mine, name="finish_verification", accept_rest=True
        )
    done = assessment_transition(
        actor=team["assigned"], assessment=mine, name="finish_verification", accept_rest=True
    )
    assert done.status == "verified"


def test_assigning_many_units_at_once_asks_for_confirmation_and_is_audited(
    world: dict[str, Any],
) -> None:
    admin, period, units = world["users"]["admin"], world["period"], world["units"]
    verifier = world["users"]["verifier"]
    chosen = [units["a"], units["b"], units["c"]]
    with pytest.raises(ConfirmationNeeded) as asked:
        verifiers_assign(actor=admin, period=period, verifier=verifier, units=chosen)
    assert sorted(asked.value.problems) == sorted(u.name for u in chosen)
    assert not VerifierAssignment.objects.exists()
    made = verifiers_assign(
        actor=admin, period=period, verifier=verifier, units=chosen, confirm=True
    )
    assert len(made) == 3
    events = AuditEvent.objects.filter(action=AuditAction.VERIFIER_ASSIGN)
    assert events.count() == 3
    assert {e.actor for e in events} == {admin}
    assert {e.assessment.unit.code for e in events} == {"so-a", "so-b", "huyen-c"}
    # Assigning again changes nothing and asks nothing.
    assert verifiers_assign(actor=admin, period=period, verifier=verifier, units=chosen) == []
    verifier_unassign(actor=admin, assignment=made[0], reason="đổi người")
    assert AuditEvent.objects.get(action=AuditAction.VERIFIER_UNASSIGN).reason == "đổi người"
    assert VerifierAssignment.objects.count() == 2


def test_only_an_admin_assigns_and_only_verifiers_are_assigned(world: dict[str, Any]) -> None:
    period, a = world["period"], world["units"]["a"]
    for role in ("verifier", "leader", "reporter"):
        with pytest.raises(Forbidden):
            verifiers_assign(
                actor=world["users"][role],
                period=period,
                verifier=world["users"]["verifier"],
                units=[a],
            )
    with pytest.raises(InvalidInput):
        verifiers_assign(
            actor=world["users"]["admin"],
            period=period,
            verifier=world["users"]["leader"],
            units=[a],
        )
    with pytest.raises(InvalidInput):
        verifiers_assign(
            actor=world["users"]["admin"],
            period=period,
            verifier=world["users"]["verifier"],
            units=[a],
            pillar="9",
        )
    with pytest.raises(Forbidden):
        verification_chair_name(
            actor=world["users"]["verifier"], period=period, chair=world["users"]["verifier"]
        )


def test_the_admin_page_assigns_in_bulk_after_confirming(world: dict[str, Any]) -> None:
    admin = _client(world["users"]["admin"])
    period, units = world["period"], world["units"]
    url = f"/periods/{period.pk}/verifiers/"
    assert admin.get(url).status_code == 200
    for role in ("verifier", "leader", "reporter"):
        assert _client(world["users"][role]).get(url).status_code == 403
    data = {
        "form": "assign",
        "verifier": world["users"]["verifier"].pk,
        "units": [units["a"].pk, units["b"].pk],
        "pillar": "",
    }
    asked = admin.post(url, data)
    assert asked.status_code == 200
    assert "Sở Xây dựng" in asked.content.decode()
    assert 'name="confirm" value="on"' in asked.content.decode()
    assert not VerifierAssignment.objects.exists()
    done = admin.post(url, {**data, "confirm": "on"})
    assert done.status_code == 302
    assert VerifierAssignment.objects.count() == 2
    chair = admin.post(url, {"form": "chair", "chair": world["users"]["verifier"].pk})
    assert chair.status_code == 302
    assert AuditEvent.objects.get(action=AuditAction.VERIFICATION_CHAIR_NAME).new == "verifier"


def test_another_province_s_admin_does_not_find_the_working_group_page(
    world: dict[str, Any], second_province: dict[str, Any]
) -> None:
    from django.test import Client
    from django.urls import reverse

    url = reverse("period_verifiers", args=[world["period"].pk])
    own, other = Client(), Client()
    own.force_login(world["users"]["admin"])
    other.force_login(second_province["users"]["admin_b"])
    assert own.get(url).status_code == 200
    assert other.get(url).status_code == 404
    assert other.post(url, {"form": "chair", "chair": ""}).status_code == 404
