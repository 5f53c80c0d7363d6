"""Sign-in throttling per address (issue #17, item 6): django-axes locks a username at one
address; many usernames tried from one address were never throttled, and behind a proxy every
client shared the proxy's address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.conftest import PASSWORD


@pytest.fixture
def rate(settings: Any) -> int:
    settings.DTI_LOGIN_ADDRESS_RATE = "6/15m"
    return 6


def _fail(client: Client, username: str, **extra: Any) -> int:
    data = {"username": username, "password": "wrong"}
    return int(client.post(reverse("login"), data, **extra).status_code)


def test_many_usernames_from_one_address_are_throttled(world: dict[str, Any], rate: int) -> None:
    client = Client()
    for i in range(rate):
        assert _fail(client, f"guess{i}") == 200  # the form again: axes never saw a name twice
    response = client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


def test_another_address_is_not_throttled_by_it(world: dict[str, Any], rate: int) -> None:
    client = Client()
    for i in range(rate):
        _fail(client, f"guess{i}", REMOTE_ADDR="192.0.2.10")
    response = client.post(
        reverse("login"), {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="192.0.2.11"
    )
    assert response.status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_throttle(
    world: dict[str, Any], rate: int
) -> None:
    client = Client()
    for i in range(rate):
        _fail(client, f"guess{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = client.post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_apart(
    world: dict[str, Any], rate: int, settings: Any
) -> None:
    settings.DTI_TRUSTED_PROXY_COUNT = 1
    client = Client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(rate):
        # The client forges an address; the proxy appends the one it saw.
        _fail(client, f"guess{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7", **proxy)
    blocked = client.post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert blocked.status_code == 429
    other = client.post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
        **proxy,
    )
    assert other.status_code == 302


def test_the_axes_lockout_page_is_vietnamese(world: dict[str, Any], settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail(client, "reporter")
    response = client.post(reverse("login"), {"username": "reporter", "password": "wrong"})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
