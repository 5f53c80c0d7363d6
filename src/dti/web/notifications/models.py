"""The inbox, each user's e-mail choices, and the reminders already sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dti.web.notifications.kinds import Kind


class Notification(models.Model):
    """One message in one user's inbox (and, unless they opted out, one e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # The text's parameters (strings): rendered in the reader's language when shown.
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the e-mail went out (or was not wanted): a retried mail task sends no duplicate.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class EmailOptOut(models.Model):
    """A kind of notification the user receives in the inbox only (e-mail is on by default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once"),
        ]


class ReminderSent(models.Model):
    """A deadline reminder given to one user for one assessment and threshold: the unique
    constraint makes the reminder task idempotent, however often or concurrently it runs."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="reminders_sent"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    days = models.PositiveSmallIntegerField()  # the threshold: 7 or 1 day before the deadline
    # The deadline reminded of: a deadline moved later (an extension) is reminded of again.
    deadline = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user", "days", "deadline"], name="reminder_once"
            ),
        ]
