"""Bodies past the server's limits get a clear refusal, never a 500 (issue #17, item 3): the API
answers 413 in its one error shape; a page answers the Vietnamese 400 page."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from tests.web.conftest import entry
from tests.web.test_api_auth import make_tokens

from dti.web.audit.models import AuditEvent


def _huge_batch(world: dict[str, Any]) -> str:
    e = entry(world["mine"], "1.1")
    one = {"indicator": "1.1", "version": e.version, "value": 1, "explanation": "x" * 1000}
    return json.dumps({"entries": [one] * 9_600})  # ≈ 9.6 MB


def test_an_api_body_over_the_limit_is_413_in_the_error_shape(world: dict[str, Any]) -> None:
    token = make_tokens(world)["reporter"]
    before = AuditEvent.objects.count()
    response = Client().put(
        f"/api/v1/assessments/{world['mine'].pk}/entries",
        data=_huge_batch(world),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "byte" in error["message"]
    assert AuditEvent.objects.count() == before


def test_a_page_body_over_the_limit_is_the_vietnamese_400_page(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["reporter"])
    e = entry(world["mine"], "1.1")
    response = client.post(
        f"/assessments/{world['mine'].pk}/entries/{e.pk}/",
        data={"version": e.version, "value": "1", "explanation": "x" * (6 * 1024 * 1024)},
    )
    assert response.status_code == 400
    assert "Yêu cầu bị từ chối" in response.content.decode()
