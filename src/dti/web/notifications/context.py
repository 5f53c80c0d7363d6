from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from dti.web.notifications.selectors import unread_count as count_unread


def unread_count(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count, for signed-in users (one COUNT on an index)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"unread_notifications": count_unread(user)}
