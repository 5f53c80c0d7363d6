"""A period measured continuously (its plan), its snapshots and each unit's result in one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dti.web.assessments.models import Status


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("On the schedule")
    MANUAL = "manual", _("Taken by an administrator")


class ContinuousPlan(models.Model):
    """A period measured continuously: snapshots at ``rhythm`` while ``active``; once the
    yearly result is closed from a snapshot (``closed_from``) no more are taken."""

    period = models.OneToOneField(
        "assessments.Period", on_delete=models.CASCADE, related_name="continuous"
    )
    rhythm = models.CharField(max_length=20, choices=Rhythm.choices, default=Rhythm.MONTHLY)
    active = models.BooleanField(default=True)
    closed_from = models.ForeignKey(
        "Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.period} ({self.rhythm})"


class Snapshot(models.Model):
    """Every unit of a period scored on the values that counted on ``as_of``; kept as taken."""

    period = models.ForeignKey(
        "assessments.Period", on_delete=models.CASCADE, related_name="snapshots"
    )
    as_of = models.DateField()
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    units = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)  # data-quality warnings in all

    class Meta:
        ordering = ["period", "as_of"]
        constraints = [
            # One per day: the schedule and a second click find it taken (idempotent).
            models.UniqueConstraint(fields=["period", "as_of"], name="snapshot_period_day")
        ]

    def __str__(self) -> str:
        return f"{self.period} @ {self.as_of:%d/%m/%Y}"

    def audit_label(self) -> str:
        return f"{self.period.code} @ {self.as_of:%d/%m/%Y}"


class SnapshotResult(models.Model):
    """One unit in a snapshot: its status then, scores, provisional rank within its group,
    pillars, the values that counted and their points, and its data-quality warnings."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=60)
    status = models.CharField(max_length=30)
    score = models.FloatField()
    percent = models.FloatField()
    band = models.CharField(max_length=120, blank=True)
    rank = models.PositiveIntegerField()
    group_size = models.PositiveIntegerField()
    pillars = models.JSONField(default=list, blank=True)  # [{pillar, points, max}]
    # indicator → [value, denominator, applicable, points]
    values = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)  # {indicator, code, params}

    class Meta:
        ordering = ["snapshot", "group", "rank", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "unit"], name="snapshot_result_unit")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} / {self.unit_id}"

    @property
    def status_label(self) -> str:
        """The assessment's state then, by name."""
        return str(Status(self.status).label) if self.status in Status.values else self.status
