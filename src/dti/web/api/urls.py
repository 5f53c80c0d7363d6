"""``/api/v1/`` URL patterns. Every API view skips the login redirect: the API answers 401/404
in its own error shape and decides itself what is public (published results) and what needs a
token."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver

from dti.web.api.api import api


def _open(patterns: list[URLPattern | URLResolver]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open(list(pattern.url_patterns))
        else:
            # What django.contrib.auth.decorators.login_not_required sets.
            pattern.callback.login_required = False  # type: ignore[attr-defined]


def api_urls() -> Any:
    patterns, app_name, namespace = api.urls
    _open(list(patterns))
    return patterns, app_name, namespace
