"""Vietnamese first: the browser's Accept-Language is ignored, the language switch is not."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Drop Accept-Language so that LocaleMiddleware uses the chosen language or Vietnamese.

    Officials often run English-language browsers; the platform still speaks Vietnamese to
    them unless they pick English with the switch (a cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
