"""Sign-in throttling by client address.

django-axes locks one username at one address after ``AXES_FAILURE_LIMIT`` failures; that
never stops a client trying many usernames from one address (password spraying). So failures
are also counted per address, whatever the username, with django-ratelimit in the shared
cache: past ``DTI_LOGIN_ADDRESS_RATE`` (default 30 failures per 15 minutes — a department's
office behind one NAT address stays well within it) the address is refused until the window
ends.

The client's address (:func:`client_ip`, axes' too) is the connection's, unless
``DTI_TRUSTED_PROXY_COUNT`` says that N proxies stand in front: each of them appends the address
it received the request from to X-Forwarded-For, so the N-th entry from the right is the one
the outermost trusted proxy saw — the client's. Entries further left are the client's own say
and are never believed. Without the setting, every client behind a proxy would share its
address; with a wrong one, clients could choose theirs.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]  # no py.typed

GROUP = "dti-login-address"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, behind ``DTI_TRUSTED_PROXY_COUNT`` trusted proxies; ``None`` when
    the request carries none (a sign-in made in code: axes stores it in an address column)."""
    own = request.META.get("REMOTE_ADDR") or None
    trusted = int(settings.DTI_TRUSTED_PROXY_COUNT)
    if trusted <= 0:
        return own
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    # Fewer entries than proxies: the request did not come through all of them.
    if len(forwarded) < trusted:
        return own
    try:
        return str(ipaddress.ip_address(forwarded[-trusted]))
    except ValueError:  # not an address: a proxy that passes on what it was sent
        return own


def client_address(group: str, request: HttpRequest) -> str:
    """The ratelimit key: the client's address."""
    return client_ip(request) or "unknown"


def _usage(request: HttpRequest, *, increment: bool) -> tuple[int, int] | None:
    """(failures counted in the window, the rate's limit), as django-ratelimit reads them."""
    usage = get_usage(
        request,
        group=GROUP,
        key=client_address,
        rate=settings.DTI_LOGIN_ADDRESS_RATE,
        increment=increment,
    )
    return None if usage is None else (int(usage["count"]), int(usage["limit"]))


def address_blocked(request: HttpRequest) -> bool:
    """Whether the request's address has used up its failed sign-ins for the window."""
    usage = _usage(request, increment=False)
    return usage is not None and usage[0] >= usage[1]


def address_failed(request: HttpRequest) -> None:
    """Count one failed sign-in against the request's address."""
    _usage(request, increment=True)
