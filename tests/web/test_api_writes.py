"""Writing self-assessment values through the API: the same services as the web, so role,
unit, state, deadline, engine validation, optimistic locking and audit apply unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.web.conftest import advance, entry
from tests.web.test_api_auth import ROLES, call, make_tokens

from dti.web.audit.models import AuditEvent


@pytest.fixture
def tokens(world: dict[str, Any]) -> dict[str, str]:
    return make_tokens(world)


def put_one(world: dict[str, Any], token: str, code: str = "1.1", **body: Any) -> Any:
    e = entry(world["mine"], code)
    payload = {"version": e.version, "value": 1, **body}
    return call("PUT", f"/api/v1/assessments/{world['mine'].pk}/entries/{code}", token, payload)


def saved_events() -> int:
    return AuditEvent.objects.filter(action="entry_save_self").count()


# Who may set unit A's draft values: only its reporter. Staff who may see the draft get 403
# (role); those who may not see it, and the other unit's reporter, get 404 (as on the web).
EXPECTED = {
    "anonymous": (401, "not_authenticated"),
    "reporter": (200, None),
    "outsider": (404, "not_found"),
    "admin": (403, "forbidden"),
    "verifier": (404, "not_found"),
    "leader": (404, "not_found"),
}


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_set_one_value_requires_the_unit_s_reporter(
    world: dict[str, Any], tokens: dict[str, str], who: str
) -> None:
    response = put_one(world, tokens[who])
    status, code = EXPECTED[who]
    assert response.status_code == status, response.content
    e = entry(world["mine"], "1.1")
    if code is None:
        body = response.json()
        assert body["entries"][0]["version"] == 2
        assert body["assessment"]["self_score"] == 10.0
        assert e.self_value == 1.0
    else:
        assert response.json()["error"]["code"] == code
        assert (e.self_value, e.version) == (None, 1)
        assert saved_events() == 0


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_batch_requires_the_unit_s_reporter(
    world: dict[str, Any], tokens: dict[str, str], who: str
) -> None:
    body = {"entries": [{"indicator": "1.1", "version": 1, "value": 1}]}
    response = call("PUT", f"/api/v1/assessments/{world['mine'].pk}/entries", tokens[who], body)
    assert response.status_code == EXPECTED[who][0]
    assert entry(world["mine"], "1.1").self_value == (1.0 if who == "reporter" else None)


@pytest.mark.parametrize("who", ["verifier", "leader", "admin"])
def test_staff_who_may_see_it_still_may_not_write(
    world: dict[str, Any], tokens: dict[str, str], who: str
) -> None:
    """The "requires role" test on an assessment every staff role can open (submitted)."""
    mine = advance(world, world["mine"], "submitted")
    e = entry(mine, "1.1")
    response = call(
        "PUT", f"/api/v1/assessments/{mine.pk}/entries/1.1", tokens[who], {"version": e.version}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_outsider_cannot_write_even_on_a_visible_published_assessment(
    world: dict[str, Any], tokens: dict[str, str]
) -> None:
    """The "checks the unit" test, from the other side: unit B's reporter writing to A."""
    response = put_one(world, tokens["outsider"])
    assert response.status_code == 404
    assert "so-a" not in response.content.decode()


def test_audit_actor_is_the_token_s_user(world: dict[str, Any], tokens: dict[str, str]) -> None:
    put_one(world, tokens["reporter"], explanation="Theo quyết định 12/QĐ")
    events = AuditEvent.objects.filter(action="entry_save_self").order_by("field")
    assert {e.field for e in events} == {"self_value", "explanation"}
    assert all(e.actor == world["users"]["reporter"] for e in events)


def test_stale_version_is_409_and_nothing_is_written(
    world: dict[str, Any], tokens: dict[str, str]
) -> None:
    assert put_one(world, tokens["reporter"], value=1).status_code == 200
    before = saved_events()
    response = put_one(world, tokens["reporter"], value=0, version=1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    e = entry(world["mine"], "1.1")
    assert (e.self_value, e.version) == (1.0, 2)
    assert saved_events() == before


def test_invalid_value_is_422_with_located_details(
    world: dict[str, Any], tokens: dict[str, str]
) -> None:
    response = put_one(world, tokens["reporter"], value=5)  # boolean: 0 or 1
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]
    assert error["details"][0]["loc"] == ["indicator", "1.1"]
    assert entry(world["mine"], "1.1").self_value is None
    assert saved_events() == 0


def test_body_errors_are_422_with_their_location(
    world: dict[str, Any], tokens: dict[str, str]
) -> None:
    url = f"/api/v1/assessments/{world['mine'].pk}/entries/1.1"
    response = call("PUT", url, tokens["reporter"], {"value": "much"})
    assert response.status_code == 422
    locs = [d["loc"] for d in response.json()["error"]["details"]]
    assert ["body", "data", "version"] in locs
    response = call("PUT", url, tokens["reporter"], {"version": 1, "explanation": "a\x00b"})
    assert response.status_code == 422


def test_deadline_passed_is_refused(world: dict[str, Any], tokens: dict[str, str]) -> None:
    period = world["period"]
    period.self_deadline = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    period.save()
    response = put_one(world, tokens["reporter"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "deadline_passed"
    assert entry(world["mine"], "1.1").self_value is None


def test_wrong_state_is_refused(world: dict[str, Any], tokens: dict[str, str]) -> None:
    advance(world, world["mine"], "submitted")
    response = put_one(world, tokens["reporter"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wrong_state"


def test_unknown_indicator_is_404(world: dict[str, Any], tokens: dict[str, str]) -> None:
    url = f"/api/v1/assessments/{world['mine'].pk}/entries/9.9"
    response = call("PUT", url, tokens["reporter"], {"version": 1})
    assert response.status_code == 404


def test_not_applicable_clears_the_value(world: dict[str, Any], tokens: dict[str, str]) -> None:
    response = put_one(world, tokens["reporter"], code="1.3", value=3, applicable=False)
    assert response.status_code == 200
    e = entry(world["mine"], "1.3")
    assert (e.self_value, e.self_applicable) == (None, False)


def test_batch_saves_all(world: dict[str, Any], tokens: dict[str, str]) -> None:
    body = {
        "entries": [
            {"indicator": "1.1", "version": 1, "value": 1},
            {"indicator": "1.2", "version": 1, "value": 40, "denominator": 50},
        ]
    }
    response = call(
        "PUT", f"/api/v1/assessments/{world['mine'].pk}/entries", tokens["reporter"], body
    )
    assert response.status_code == 200
    assert response.json()["assessment"]["self_score"] == 30.0
    assert [e["version"] for e in response.json()["entries"]] == [2, 2]
    actors = set(
        AuditEvent.objects.filter(action="entry_save_self").values_list("actor", flat=True)
    )
    assert actors == {world["users"]["reporter"].pk}


@pytest.mark.parametrize(
    ("second", "status", "code"),
    [
        ({"indicator": "1.2", "version": 7, "value": 1, "denominator": 2}, 409, "conflict"),
        ({"indicator": "1.2", "version": 1, "value": 3, "denominator": 2}, 422, "invalid"),
        ({"indicator": "9.9", "version": 1}, 422, "invalid"),
        ({"indicator": "1.1", "version": 1}, 422, "invalid"),
    ],
)
def test_batch_is_all_or_nothing(
    world: dict[str, Any], tokens: dict[str, str], second: dict[str, Any], status: int, code: str
) -> None:
    body = {"entries": [{"indicator": "1.1", "version": 1, "value": 1}, second]}
    response = call(
        "PUT", f"/api/v1/assessments/{world['mine'].pk}/entries", tokens["reporter"], body
    )
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["details"] or code == "conflict"
    if error["details"]:
        assert error["details"][0]["loc"][:3] == ["body", "entries", 1]
    assert entry(world["mine"], "1.1").self_value is None
    assert saved_events() == 0


@pytest.mark.parametrize("who", ["admin_b", "reporter_b", "verifier_b", "leader_b"])
def test_another_province_s_tokens_cannot_write_this_one_s_values(
    world: dict[str, Any], second_province: dict[str, Any], who: str
) -> None:
    from dti.web.api.services import token_create

    token = token_create(actor=None, user=second_province["users"][who], name="b").secret
    response = put_one(world, token)
    assert response.status_code == 404, response.content
    url = f"/api/v1/assessments/{world['mine'].pk}/entries"
    response = call(
        "PUT", url, token, {"entries": [{"indicator": "1.1", "version": 1, "value": 1}]}
    )
    assert response.status_code == 404
    e = entry(world["mine"], "1.1")
    assert (e.self_value, e.version) == (None, 1)
    assert saved_events() == 0
