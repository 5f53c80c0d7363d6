"""The page offers exactly what the services accept: for every role × workflow state × deadline
(open, the unit's passed, both passed), the assessment page's transitions and its edit and
verify rights are compared with what the services do when asked (each attempt rolled back)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from dti.web.assessments import services
from dti.web.assessments.models import Assessment, IndicatorEntry, Period, Status
from dti.web.assessments.workflow import TRANSITIONS
from dti.web.errors import ServiceError

DEADLINES = {
    "open": (dt.timedelta(days=30), dt.timedelta(days=60)),
    "self_passed": (dt.timedelta(days=-1), dt.timedelta(days=30)),
    "both_passed": (dt.timedelta(days=-2), dt.timedelta(days=-1)),
}


def _accepted(attempt: Any) -> bool:
    """Whether the service accepts the attempt; nothing it writes survives."""
    with transaction.atomic():
        try:
            attempt()
        except ServiceError:
            return False
        finally:
            transaction.set_rollback(True)
    return True


def _service_accepts(user: Any, assessment: Assessment) -> tuple[set[str], bool, bool]:
    entry = IndicatorEntry.objects.filter(assessment=assessment).order_by("position").first()
    assert entry is not None
    transitions = {
        str(name)
        for name in TRANSITIONS
        if _accepted(
            lambda name=name: services.assessment_transition(
                actor=user, assessment=assessment, name=name, reason="kiểm tra", accept_rest=True
            )
        )
    }
    edit = _accepted(
        lambda: services.entry_save_self(
            actor=user,
            entry=entry,
            version=entry.version,
            value=entry.self_value,
            denominator=entry.self_denominator,
            applicable=entry.self_applicable,
        )
    )
    verify = _accepted(
        lambda: services.entry_verify(actor=user, entry=entry, version=entry.version, adjust=False)
    )
    return transitions, edit, verify


def _page_offers(client: Client, assessment: Assessment) -> tuple[set[str], bool, bool]:
    response = client.get(f"/assessments/{assessment.pk}/")
    if response.status_code == 404:
        return set(), False, False
    assert response.status_code == 200
    context = response.context
    names = {str(t.name) for t in context["transitions"]}
    return names, bool(context["can_edit"]), bool(context["can_verify"])


@pytest.mark.parametrize("deadline", sorted(DEADLINES))
def test_every_action_the_page_offers_is_exactly_what_the_service_accepts(
    world: dict[str, Any], deadline: str
) -> None:
    self_shift, verification_shift = DEADLINES[deadline]
    now = timezone.now()
    period: Period = world["period"]
    Period.objects.filter(pk=period.pk).update(
        self_deadline=now + self_shift, verification_deadline=now + verification_shift
    )
    clients = {}
    for name, user in world["users"].items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    offered_anything = set()
    for status in Status:
        Assessment.objects.filter(pk=world["mine"].pk).update(status=status)
        for name, user in world["users"].items():
            fresh = Assessment.objects.select_related("period", "unit__group", "framework").get(
                pk=world["mine"].pk
            )
            page = _page_offers(clients[name], fresh)
            accepted = _service_accepts(user, fresh)
            assert page == accepted, (deadline, str(status), name)
            offered_anything |= page[0]
    # The matrix is not vacuous: some transition is offered (and accepted) in every case.
    assert offered_anything


# -- verification by assignment: the same agreement, per indicator -------------------------------


def _verifiable_by_service(user: Any, assessment: Assessment) -> set[str]:
    return {
        e.indicator
        for e in IndicatorEntry.objects.filter(assessment=assessment).order_by("position")
        if _accepted(
            lambda e=e: services.entry_verify(actor=user, entry=e, version=e.version, adjust=False)
        )
    }


def _verifiable_on_page(client: Client, assessment: Assessment) -> tuple[int, set[str], set[str]]:
    response = client.get(f"/assessments/{assessment.pk}/")
    if response.status_code != 200:
        return response.status_code, set(), set()
    context = response.context
    names = {str(t.name) for t in context["transitions"]}
    if not context["can_verify"]:
        return 200, names, set()
    return 200, names, {code for code, x in context["exchanges"].items() if x.can_ask}


def test_with_assignments_each_verifier_is_offered_exactly_what_the_services_accept(
    world: dict[str, Any],
) -> None:
    from tests.web.conftest import PASSWORD

    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create

    admin, period, unit = world["users"]["admin"], world["period"], world["units"]["a"]
    team = {
        name: user_create(
            actor=None, username=name, password=PASSWORD, role=Role.VERIFIER, check_role=False
        )
        for name in ("assigned", "pillar1", "chair")
    }
    services.verifiers_assign(actor=admin, period=period, verifier=team["assigned"], units=[unit])
    services.verifiers_assign(
        actor=admin, period=period, verifier=team["pillar1"], units=[unit], pillar="1"
    )
    services.verification_chair_name(actor=admin, period=period, chair=team["chair"])
    users = {**world["users"], **team}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    seen: dict[str, set[str]] = {}
    for status in Status:
        Assessment.objects.filter(pk=world["mine"].pk).update(status=status)
        for name, user in users.items():
            fresh = Assessment.objects.select_related("period", "unit__group", "framework").get(
                pk=world["mine"].pk
            )
            code, offered, verifiable = _verifiable_on_page(clients[name], fresh)
            transitions = _service_accepts(user, fresh)[0]
            assert offered == transitions, (str(status), name)
            assert verifiable == _verifiable_by_service(user, fresh), (str(status), name)
            if name == "verifier" and status != Status.DRAFT:
                assert code == 403  # not assigned: refused, not hidden
            seen.setdefault(name, set()).update(verifiable)
    # Not vacuous: the pillar verifier verifies pillar 1 only, the others all or nothing.
    assert seen["pillar1"] == {"1.1", "1.2", "1.3"}
    assert seen["assigned"] == seen["chair"] and "2.1" in seen["chair"]
    assert seen["verifier"] == set()


@pytest.mark.parametrize("deadline", sorted(DEADLINES))
def test_another_province_s_accounts_are_offered_and_accepted_nothing(
    world: dict[str, Any], second_province: dict[str, Any], deadline: str
) -> None:
    """The matrix grown by a second province: in every state and deadline, the accounts of
    each province are offered nothing on the other's assessment, and the services agree —
    while the assessment's own province's accounts are (the matrix is not vacuous)."""
    self_shift, verification_shift = DEADLINES[deadline]
    now = timezone.now()
    sides = (
        (world["mine"], second_province["users"], world["users"]),
        (second_province["own"], world["users"], second_province["users"]),
    )
    Period.objects.update(
        self_deadline=now + self_shift, verification_deadline=now + verification_shift
    )
    for target, strangers, locals_ in sides:
        clients = {}
        for name, user in {**strangers, **locals_}.items():
            clients[name] = Client()
            clients[name].force_login(user)
        offered_locally = set()
        for status in Status:
            Assessment.objects.filter(pk=target.pk).update(status=status)
            fresh = Assessment.objects.select_related("period", "unit__group", "framework").get(
                pk=target.pk
            )
            for name, user in strangers.items():
                assert _page_offers(clients[name], fresh) == (set(), False, False), name
                assert _service_accepts(user, fresh) == (set(), False, False), name
            for name, user in locals_.items():
                page = _page_offers(clients[name], fresh)
                assert page == _service_accepts(user, fresh), (str(status), name)
                offered_locally |= page[0]
        assert offered_locally
