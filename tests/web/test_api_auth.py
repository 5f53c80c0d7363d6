"""API tokens: hashed storage, the management command, revocation, last use, 401s.

Also holds the fixtures the other ``test_api_*`` modules import: a token per role and ``call``.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from dti.web.api.models import ApiToken
from dti.web.api.services import token_create, token_revoke
from dti.web.audit.models import AuditEvent

ROLES = ("admin", "reporter", "outsider", "verifier", "leader")


def make_tokens(world: dict[str, Any]) -> dict[str, str]:
    """One token per fixture user; ``anonymous`` maps to no token at all."""
    out = {
        name: token_create(actor=None, user=user, name="tests").secret
        for name, user in world["users"].items()
    }
    out["anonymous"] = ""
    return out


@pytest.fixture
def tokens(world: dict[str, Any]) -> dict[str, str]:
    return make_tokens(world)


def call(method: str, url: str, token: str = "", body: Any = None, client: Any = None) -> Any:
    client = client or Client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method.lower())(url, **kwargs)


def test_only_the_hash_is_stored_and_the_token_is_shown_once(world: dict[str, Any]) -> None:
    created = token_create(actor=None, user=world["users"]["reporter"])
    stored = ApiToken.objects.get(pk=created.token.pk)
    assert stored.digest == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in str(list(ApiToken.objects.values_list("digest", "prefix", "name")))
    assert created.secret.startswith(stored.prefix)


def test_the_command_creates_a_token_that_works(world: dict[str, Any]) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "reporter", "--name", "sync", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert "shown only once" in err.getvalue()
    response = call("GET", f"/api/v1/assessments/{world['mine'].pk}", secret)
    assert response.status_code == 200
    token = ApiToken.objects.get(user__username="reporter", name="sync")
    assert token.last_used_at is not None

    listing = io.StringIO()
    call_command("api_token", "reporter", "--list", stdout=listing)
    assert token.prefix in listing.getvalue()
    call_command("api_token", "reporter", "--revoke", token.prefix, stdout=io.StringIO())
    assert call("GET", f"/api/v1/assessments/{world['mine'].pk}", secret).status_code == 401


def test_revoked_token_is_refused_and_revocation_is_audited(world: dict[str, Any]) -> None:
    created = token_create(actor=world["users"]["admin"], user=world["users"]["reporter"])
    token_revoke(actor=world["users"]["admin"], token=created.token)
    response = call("GET", f"/api/v1/assessments/{world['mine'].pk}", created.secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert AuditEvent.objects.filter(action="api_token_revoke").count() == 1


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ", "Token abc", "Basic cmVwb3J0ZXI6eA=="]
)
def test_a_bad_authorization_header_is_401_even_on_public_endpoints(
    world: dict[str, Any], header: str
) -> None:
    for url in ("/api/v1/periods", f"/api/v1/assessments/{world['mine'].pk}"):
        response = Client().get(url, headers={"Authorization": header})
        assert response.status_code == 401, url
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_an_inactive_user_s_token_is_refused(world: dict[str, Any], tokens: dict[str, str]) -> None:
    user = world["users"]["reporter"]
    user.is_active = False
    user.save()
    assert call("GET", "/api/v1/periods", tokens["reporter"]).status_code == 401


def test_a_session_is_not_accepted_by_the_api(world: dict[str, Any]) -> None:
    """Logged in on the web, without a token: reads are anonymous and writes are refused, so
    no cross-site request can ride on the session cookie."""
    from tests.web.conftest import entry

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.1")
    response = call(
        "PUT",
        f"/api/v1/assessments/{world['mine'].pk}/entries/1.1",
        body={"version": e.version, "value": 1},
        client=client,
    )
    assert response.status_code == 401
    e.refresh_from_db()
    assert e.self_value is None
    response = call("GET", f"/api/v1/periods/{world['period'].pk}", client=client)
    assert response.json()["progress"] is None
