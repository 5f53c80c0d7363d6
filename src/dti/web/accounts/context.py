from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dti.web.accounts.policy import membership_of


def membership(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's role and unit to every template (for the navigation)."""
    m = membership_of(getattr(request, "user", None))
    return {"membership": m, "role": m.role if m else None}
