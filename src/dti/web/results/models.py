"""The decision that announces a period's results, and the counter that keys cached results."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionStatus(models.TextChoices):
    """The decision's own workflow: the admin drafts it, the leader approves it, and it is
    published with the results (publication refuses a decision not approved)."""

    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    PUBLISHED = "published", _("published")


class Decision(models.Model):
    """The province's decision announcing the ranking (printed on the appendix header)."""

    period = models.OneToOneField(
        "assessments.Period", on_delete=models.CASCADE, related_name="decision"
    )
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    number = models.CharField(_("decision number"), max_length=60, blank=True)
    date = models.DateField(_("decision date"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    signer = models.CharField(_("signer"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.number} ({self.period})"


class PublishedVersion(models.Model):
    """Bumped whenever an assessment of the period enters or leaves "published".

    Cached results are keyed by this number and a random stamp drawn anew at every bump, so
    publishing, reopening or republishing makes every cached page, chart and export of the
    period stale at once (no cache scan needed). The stamp keeps keys unique where the number
    alone would repeat: a period id reused after a restore or in a recreated database.
    """

    period = models.OneToOneField(
        "assessments.Period", on_delete=models.CASCADE, related_name="published_version"
    )
    version = models.PositiveIntegerField(default=0)
    stamp = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"{self.period}: v{self.version}"
