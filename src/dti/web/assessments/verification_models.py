"""The working group's organisation and exchanges with the unit: who verifies which unit (or
which pillars of it) in a period, the group's chair (*tổ trưởng*), the clarification round
(questions and the unit's answers) and the unit's dispute of an adjustment (*giải trình*).

Imported by :mod:`dti.web.assessments.models`, so Django registers them with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Clarification",
    "ClarificationReason",
    "ClarificationState",
    "DisputeDecision",
    "EntryDispute",
    "VerificationChair",
    "VerifierAssignment",
]

# An assignment names a top-level node of the framework's tree (a pillar), ``bonus`` or
# ``penalty`` (the items outside the tree), or nothing: the whole unit.
WHOLE_UNIT = ""


class VerifierAssignment(models.Model):
    """One verifier assigned to one unit of a period: the whole unit (``pillar`` empty) or one
    pillar of it (its code)."""

    period = models.ForeignKey(
        "assessments.Period", on_delete=models.CASCADE, related_name="verifier_assignments"
    )
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.CASCADE, related_name="verifier_assignments"
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifier_assignments"
    )
    pillar = models.CharField(max_length=60, blank=True, default=WHOLE_UNIT)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "unit__name", "pillar", "verifier__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "verifier", "pillar"], name="assignment_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "verifier"], name="assignment_period_verifier")]

    def __str__(self) -> str:
        return f"{self.verifier} → {self.unit} {self.pillar}".strip()

    def audit_label(self) -> str:
        return f"{self.unit_id}/{self.pillar or '*'} → {self.verifier_id}"


class VerificationChair(models.Model):
    """The chair (*tổ trưởng*) of a period's working group: signs each unit's verification
    off and decides the units' disputes."""

    period = models.OneToOneField(
        "assessments.Period", on_delete=models.CASCADE, related_name="verification_chair"
    )
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.period}: {self.chair}"


class ClarificationReason(models.TextChoices):
    EVIDENCE_MISSING = "evidence_missing", _("Evidence missing")
    EVIDENCE_MISMATCH = "evidence_mismatch", _("Evidence does not match")
    VALUE_INCONSISTENT = "value_inconsistent", _("Value inconsistent")
    OTHER = "other", _("Other")


class ClarificationState(models.TextChoices):
    ASKED = "asked", _("Waiting for the unit's answer")
    ANSWERED = "answered", _("Answered by the unit")
    CLOSED = "closed", _("Settled by the verifier")


class Clarification(models.Model):
    """A verifier's question to the unit about one indicator, and the unit's answer (a new
    value, evidence or an explanation) given before the reply deadline."""

    entry = models.ForeignKey(
        "assessments.IndicatorEntry", on_delete=models.CASCADE, related_name="clarifications"
    )
    reason = models.CharField(max_length=30, choices=ClarificationReason.choices)
    question = models.TextField()
    reply_by = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=ClarificationState.choices, default=ClarificationState.ASKED
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField()
    # The answer: any of a new value (the unit's proposal, its declared value stays), an
    # explanation, evidence attached to the indicator.
    answer_text = models.TextField(blank=True)
    answer_value = models.FloatField(null=True, blank=True)
    answer_denominator = models.FloatField(null=True, blank=True)
    answer_evidence = models.ManyToManyField("assessments.Evidence", blank=True, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry__position", "asked_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry.indicator}: {self.question[:40]}"

    def audit_label(self) -> str:
        return f"{self.entry.indicator}" if Clarification.entry.is_cached(self) else str(self.pk)

    @property
    def proposes_value(self) -> bool:
        return self.answer_value is not None


class DisputeDecision(models.TextChoices):
    OPEN = "open", _("Waiting for the chair")
    GRANTED = "granted", _("Granted: the unit's value counts")
    REJECTED = "rejected", _("Rejected: the adjustment stands")


class EntryDispute(models.Model):
    """The unit's dispute of one adjustment (*giải trình*), once per verification round, and
    the chair's decision. The verifier's values at filing are kept, so declared, verified,
    disputed and final stay side by side; the final values are the entry's own (the counted
    values of :mod:`..workflow`), written when the chair grants."""

    entry = models.ForeignKey(
        "assessments.IndicatorEntry", on_delete=models.CASCADE, related_name="disputes"
    )
    # The assessment's reopen count when filed: once per adjustment per verification round.
    round = models.PositiveIntegerField(default=0)
    reasons = models.TextField()
    proposed_value = models.FloatField(null=True, blank=True)
    proposed_denominator = models.FloatField(null=True, blank=True)
    proposed_applicable = models.BooleanField(default=True)
    verified_value = models.FloatField(null=True, blank=True)
    verified_denominator = models.FloatField(null=True, blank=True)
    verified_applicable = models.BooleanField(default=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField()
    decision = models.CharField(
        max_length=20, choices=DisputeDecision.choices, default=DisputeDecision.OPEN
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry__position", "filed_at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "round"], name="dispute_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.entry.indicator}: {self.get_decision_display()}"

    def audit_label(self) -> str:
        return f"{self.entry.indicator}" if EntryDispute.entry.is_cached(self) else str(self.pk)
