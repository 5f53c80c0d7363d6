"""The page of a form refused for its security token (Django's own says "403 Forbidden" in
English): what happened and what to do, in the user's language."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # ``reason`` is Django's English diagnosis, for the logs rather than the user.
    return render(request, "403_csrf.html", status=403)
