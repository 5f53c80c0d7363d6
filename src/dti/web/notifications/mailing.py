"""Sending the e-mail of notifications (the queue's task calls it): once each, never twice."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from dti.web.notifications.models import EmailOptOut, Notification
from dti.web.notifications.texts import notification_email


def notifications_email(notification_ids: Collection[int]) -> int:
    """E-mail the given notifications to those who want them; returns how many were sent.

    Each is claimed by one conditional UPDATE before it is sent, so a task that runs twice (a
    retry, two consumers) sends nothing twice; one whose sending failed is released again
    and the error raised, for the queue to retry."""
    pending = list(
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at=None)
        .select_related("user")
        .order_by("pk")
    )
    opted_out = set(
        EmailOptOut.objects.filter(user_id__in={n.user_id for n in pending}).values_list(
            "user_id", "kind"
        )
    )
    site = settings.DTI_SITE_URL
    sent = 0
    with get_connection() as connection:
        for notification in pending:
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at=None).update(
                emailed_at=timezone.now()
            )
            wanted = (notification.user_id, notification.kind) not in opted_out
            if not claimed or not wanted or not notification.user.email:
                continue
            try:
                connection.send_messages([notification_email(notification, site=site)])
            except Exception:
                Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
                raise
            sent += 1
    return sent
