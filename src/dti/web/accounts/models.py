"""Who may do what: one membership per user with a role and, for reporters, a unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    REPORTER = "reporter", _("Unit reporter")
    VERIFIER = "verifier", _("Verifier")
    LEADER = "leader", _("Leader")


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        constraints = [
            # A reporter always belongs to exactly one unit; other roles to none.
            models.CheckConstraint(
                condition=(models.Q(role="reporter", unit__isnull=False))
                | (~models.Q(role="reporter") & models.Q(unit__isnull=True)),
                name="membership_reporter_has_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"
