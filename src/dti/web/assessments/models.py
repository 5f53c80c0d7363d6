"""Assessment periods, unit × period assessments, indicator entries, the unit's documents and
their links to indicators (evidence), notes."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_VERIFICATION = "under_verification", _("Under verification")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Verdict(models.TextChoices):
    PENDING = "pending", _("Not yet verified")
    ACCEPTED = "accepted", _("Accepted")
    ADJUSTED = "adjusted", _("Adjusted")


class Period(models.Model):
    # Several provinces can share a database (the demo does): a year is unique per province.
    province = models.ForeignKey(
        "registry.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="periods"
    )
    year = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    self_deadline = models.DateTimeField()
    verification_deadline = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "province__name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="period_province_year"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(province=None), name="period_year_no_province"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The period as the engine and the workbook name it."""
        return str(self.year)


class PeriodFramework(models.Model):
    """Which framework version scores which unit group in a period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="frameworks")
    group = models.ForeignKey("registry.UnitGroup", on_delete=models.PROTECT)
    framework = models.ForeignKey("frameworks.FrameworkVersion", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "group"], name="period_group_unique")
        ]


class Assessment(models.Model):
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey("frameworks.FrameworkVersion", on_delete=models.PROTECT)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    reopen_count = models.PositiveIntegerField(default=0)
    # Set when an admin reopens after the deadline: the unit's own new deadline.
    self_deadline_override = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Results cache, always written by services.assessment_recompute from the engine's output.
    self_score = models.FloatField(null=True, blank=True)
    self_percent = models.FloatField(null=True, blank=True)
    self_band = models.CharField(max_length=120, blank=True)
    verified_score = models.FloatField(null=True, blank=True)
    verified_percent = models.FloatField(null=True, blank=True)
    verified_band = models.CharField(max_length=120, blank=True)
    applicable_max = models.FloatField(null=True, blank=True)
    pillars = models.JSONField(default=list, blank=True)
    # indicator code → [self points, verified points or None]
    points = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The head of this assessment's audit chain (its last event's sequence and hash): advanced
    # by dti.web.audit.services while the services hold this row's lock.
    audit_sequence = models.PositiveBigIntegerField(default=0)
    audit_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        ordering = ["period", "unit__group__order", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="assessment_period_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.period}"

    def audit_label(self) -> str:
        """The assessment's name from what is loaded (no query): kept in its audit events."""
        unit = self.unit.name if Assessment.unit.is_cached(self) else f"unit {self.unit_id}"
        period = self.period.code if Assessment.period.is_cached(self) else ""
        return f"{unit} {period}".strip()


class IndicatorEntry(models.Model):
    """One leaf indicator of one assessment: the unit's own data and the verifier's."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="entries")
    indicator = models.CharField(max_length=60)
    position = models.PositiveIntegerField()
    self_value = models.FloatField(null=True, blank=True)
    self_denominator = models.FloatField(null=True, blank=True)
    self_applicable = models.BooleanField(default=True)
    explanation = models.TextField(blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, default=Verdict.PENDING)
    verified_value = models.FloatField(null=True, blank=True)
    verified_denominator = models.FloatField(null=True, blank=True)
    verified_applicable = models.BooleanField(default=True)
    verifier_reason = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every save sends the version it was based on.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="entry_assessment_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} / {self.indicator}"

    def audit_label(self) -> str:
        """The indicator's code (no query): kept in the entry's audit events."""
        return self.indicator


class PrivateStorage(Storage):
    """Where uploaded files live: the ``default`` storage of STORAGES (MEDIA_ROOT on the local
    disk, or an S3 bucket; settings.storages_from_env), looked up on every call rather than
    once when the models load, so that tests can switch it (Django forgets its storages when
    STORAGES changes). Nothing in it has a URL: only the permission-checked views serve it."""

    @property
    def _target(self) -> Storage:
        return storages["default"]

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return self._target.open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return self._target.save(name, content, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self._target.get_valid_name(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return self._target.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self._target.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self._target.generate_filename(filename)

    def path(self, name: str) -> str:
        return self._target.path(name)

    def delete(self, name: str) -> None:
        self._target.delete(name)

    def exists(self, name: str) -> bool:
        return self._target.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self._target.listdir(path)

    def size(self, name: str) -> int:
        return self._target.size(name)

    def url(self, name: str | None) -> str:
        return self._target.url(name)

    def get_accessed_time(self, name: str) -> dt.datetime:
        return self._target.get_accessed_time(name)

    def get_created_time(self, name: str) -> dt.datetime:
        return self._target.get_created_time(name)

    def get_modified_time(self, name: str) -> dt.datetime:
        return self._target.get_modified_time(name)


def evidence_path(instance: models.Model, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{secrets.token_hex(4)}/{secrets.token_urlsafe(24)}{suffix}"


class DocumentKind(models.TextChoices):
    # The engine's kinds (dti.engine.EvidenceKind: what a framework leaf may ask for), named.
    DECISION = "decision", _("Decision")
    PLAN = "plan", _("Plan")
    REPORT = "report", _("Report")
    REGULATION = "regulation", _("Regulation")
    LETTER = "letter", _("Official letter")
    OTHER = "other", _("Other document")


class Document(models.Model):
    """One of a unit's documents (a decision, a plan, a report …), stored once with its
    metadata and linked as evidence to any number of indicators of any of its periods
    (:class:`Evidence`). A file (type checked from its bytes) or a link."""

    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    number = models.CharField(max_length=100, blank=True)  # số hiệu: 1206/QĐ-UBND
    issued_on = models.DateField(null=True, blank=True)
    issuer = models.CharField(max_length=255, blank=True)  # cơ quan ban hành
    title = models.CharField(max_length=500, blank=True)  # trích yếu
    file = models.FileField(upload_to=evidence_path, storage=PrivateStorage, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    url = models.URLField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(file="") & models.Q(url="")), name="document_file_or_url"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.original_name or self.url

    def audit_label(self) -> str:
        """The document as its events name it: number and title, else the file or the link."""
        named = " ".join(p for p in (self.number, self.title) if p)
        return named or self.original_name or self.url


class DocumentRemark(models.Model):
    """A verifier's remark on a document: it follows the document to every indicator it is
    linked to. Remarks are only added (the verifier's record), never edited."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="remarks")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Evidence(models.Model):
    """A document linked to one indicator of one assessment: the link is what the unit adds
    and removes on its form; the document stays in the unit's registry."""

    entry = models.ForeignKey(IndicatorEntry, on_delete=models.CASCADE, related_name="evidence")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "document"], name="evidence_entry_document")
        ]

    def __str__(self) -> str:
        return str(self.document)

    # What the pages, the template and the download read of a link is its document's.
    @property
    def file(self) -> FieldFile:
        stored: FieldFile = self.document.file
        return stored

    @property
    def original_name(self) -> str:
        return self.document.original_name

    @property
    def url(self) -> str:
        return self.document.url

    @property
    def content_type(self) -> str:
        return self.document.content_type


class SiteVisitNote(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    visited_on = models.DateField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed: nothing was written")


def import_path(instance: ValuesImport, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"imports/{secrets.token_hex(4)}/{secrets.token_urlsafe(24)}{suffix}"


class ValuesImport(models.Model):
    """An administrator's file of many units' values for a period (data the department
    collects centrally), applied in the background with its progress shown; all or nothing."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=import_path, storage=PrivateStorage)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.QUEUED)
    step = models.CharField(max_length=200, blank=True)  # what it is doing now
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)  # when the file declares it
    units = models.PositiveIntegerField(default=0)  # assessments written
    changed = models.PositiveIntegerField(default=0)  # indicator values that moved
    problems = models.JSONField(default=list, blank=True)
    # The starter's language: the consumer writes the steps and problems in it.
    language = models.CharField(max_length=8, default="vi")
    # The data-quality warnings of the units written ({unit, indicator, code, params} each).
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} — {self.period}"


# The working group's organisation, clarification round and disputes: their own module,
# registered with this app by being imported here (its __all__ says what it exports).
from dti.web.assessments.verification_models import *  # noqa: E402, F403
