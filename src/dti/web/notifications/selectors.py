"""Reads: a user's inbox and unread count."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from dti.web.notifications.kinds import Kind
from dti.web.notifications.models import EmailOptOut, Notification


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def emailed_kinds(user: User) -> set[Kind]:
    """The kinds the user receives by e-mail (all but those opted out of)."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in Kind if kind not in off}
