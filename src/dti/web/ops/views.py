"""Health check and the error page shown when the database is out of reach.

Neither touches the session, the user or the template context processors: both must answer
while PostgreSQL is down.
"""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        if type(exc).__module__.startswith("psycopg") and type(exc).__name__ in (
            "OperationalError",
            "InterfaceError",
        ):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a Vietnamese 503 page while the database is down, a plain 500 page otherwise."""
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(render_to_string("ops/503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(render_to_string("ops/500.html"), status=500)


@login_not_required
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """``/healthz/``: 200 when the database and the cache answer, 503 (with what failed) if not."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("dti:healthz", "1", 10)
        checks["cache"] = "ok" if cache.get("dti:healthz") == "1" else "error: no round trip"
    except Exception as exc:  # any cache backend failure is a failed check, not a crash
        checks["cache"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)
