"""The audit trail: every change to a value, score, status or evidence, with its reason.

Append-only and tamper-evident (see SECURITY.md, "The audit trail"): on PostgreSQL a trigger
refuses every UPDATE and DELETE of an event; each event is linked into a hash chain
(:mod:`dti.web.audit.chain`); the actor's name and the object's label are kept in the row, so
neither deleting a user nor deleting the object makes the trail unreadable. Events are only
written through :mod:`dti.web.audit.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dti.web.audit.chain import GENESIS


class AuditEvent(models.Model):
    # Set when the event is made (not when it is inserted): the hash covers it.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint and nothing done on delete: deleting a user leaves the events
    # as they are, with the name below (the id then points at nobody).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_label = models.CharField(max_length=200, blank=True)
    # An assessment with audit events cannot be deleted (Django and the database both refuse).
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    field = models.CharField(max_length=80, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # The hash chain (see dti.web.audit.chain).
    chain = models.CharField(max_length=40)
    sequence = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            # Two writers appending to one chain at once cannot both succeed: no fork.
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """The last link of a chain whose events have no row of their own to lock (the global
    chain): appending locks this row. Assessment chains keep their head on the assessment."""

    chain = models.CharField(max_length=40, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence}"
