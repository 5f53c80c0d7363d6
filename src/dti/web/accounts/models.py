"""Who may do what: one membership per user with a role, a province (none: the national
level) and, for reporters, the unit(s) reported for."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from dti.web.registry.models import Unit


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
    # The province the account acts in; none: the national level (a deployment that ranks
    # provinces, or a single-province installation that leaves provinces empty everywhere).
    province = models.ForeignKey(
        "registry.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # A reporter reports for one or more units; other roles for none (checked by the service:
    # a database constraint cannot see a many-to-many relation).
    units: models.ManyToManyField[Unit, Any] = models.ManyToManyField(
        "registry.Unit", blank=True, related_name="reporters"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Set when an administrator typed the password: a fingerprint of the password hash as it
    # was then. While the user's hash still matches, the first sign-in must choose a new one;
    # any change (the password page, an e-mailed link, the command line) changes the hash, so
    # nothing has to remember to clear it.
    admin_password_mark = models.CharField(max_length=64, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        """The units reported for, read once per request (the membership is cached with the
        user for the request)."""
        return frozenset(self.units.values_list("pk", flat=True))
