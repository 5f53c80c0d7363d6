"""Connectors, their pulls, what each pull received and the provenance of each measured value."""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dti.web.assessments.models import IndicatorEntry, Period, PrivateStorage


class ConnectorKind(models.TextChoices):
    HTTP_JSON = "http_json", _("HTTP source (JSON)")
    HTTP_CSV = "http_csv", _("HTTP source (CSV)")
    PORTAL = "portal", _("Public-service portal statistics")
    FILE_DROP = "file_drop", _("File drop (CSV/XLSX)")


class Pagination(models.TextChoices):
    NONE = "none", _("One page")
    PAGE = "page", _("Numbered pages")
    NEXT = "next", _("Link to the next page")


class Connector(models.Model):
    """One source a province reads measured values from; ``code`` is what a framework leaf's
    ``source.connector`` names. Every change of the mapping advances ``mapping_version``, which
    each measured value keeps."""

    province = models.ForeignKey(
        "registry.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ConnectorKind.choices)
    url = models.CharField(max_length=500, blank=True)
    # Sent as a bearer token; never shown again in full, never kept in a payload's request.
    token = models.CharField(max_length=500, blank=True)
    records = models.CharField(max_length=120, blank=True)  # JSON path of the records' list
    pagination = models.CharField(
        max_length=10, choices=Pagination.choices, default=Pagination.NONE
    )
    page_param = models.CharField(max_length=60, default="page")
    pages_key = models.CharField(max_length=120, blank=True)
    next_key = models.CharField(max_length=120, blank=True, default="next")
    total_key = models.CharField(max_length=120, blank=True)
    folder = models.CharField(max_length=500, blank=True)  # file drop
    unit_key = models.CharField(max_length=120, default="unit")
    unit_map = models.JSONField(default=dict, blank=True)  # source unit id → unit code
    field_map = models.JSONField(default=dict, blank=True)  # framework field → source key
    mapping_version = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="connector_province_code"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(province=None),
                name="connector_code_no_province",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"{self.name} ({self.code})"


class PullState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    RETRYING = "retrying", _("Failed; will try again")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed: nothing was written")


OPEN_STATES = (PullState.QUEUED, PullState.RUNNING, PullState.RETRYING)


def pull_path(instance: models.Model, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"pulls/{secrets.token_hex(4)}/{secrets.token_urlsafe(24)}{suffix}"


class Pull(models.Model):
    """One reading of a connector for a period: everything it measured is written in one
    transaction, or nothing is (its problems kept here for the admin)."""

    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="pulls")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="pulls")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A file drop's table uploaded with the request (else the connector's folder is read).
    upload = models.FileField(upload_to=pull_path, storage=PrivateStorage, blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, choices=PullState.choices, default=PullState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    transient = models.BooleanField(default=False)  # the last failure may pass by itself
    problems = models.JSONField(default=list, blank=True)  # [{"code", "params", location…}]
    mapping_version = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)  # measured values stored
    changed = models.PositiveIntegerField(default=0)  # entries whose value moved
    units = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)  # units whose data are closed
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open pull per connector and period: asking again while one runs is that one.
            models.UniqueConstraint(
                fields=["connector", "period"],
                condition=models.Q(state__in=["queued", "running", "retrying"]),
                name="pull_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.connector} — {self.period}"


class PullPayload(models.Model):
    """One page a successful pull received, as received: the request (never the token), the
    time, the status, its checksum and a stored copy."""

    pull = models.ForeignKey(Pull, on_delete=models.CASCADE, related_name="payloads")
    number = models.PositiveIntegerField()
    request = models.CharField(max_length=2000)
    status = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True)
    file = models.FileField(upload_to=pull_path, storage=PrivateStorage)

    class Meta:
        ordering = ["pull", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pull", "number"], name="payload_pull_number")
        ]


class MeasuredValue(models.Model):
    """A value a pull wrote into an entry, and where it came from. ``declared_value`` keeps
    what the unit had declared when the measurement contradicts it (``conflict``)."""

    entry = models.ForeignKey(IndicatorEntry, on_delete=models.CASCADE, related_name="measured")
    pull = models.ForeignKey(Pull, on_delete=models.PROTECT, related_name="measured")
    payload = models.ForeignKey(PullPayload, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(null=True)
    denominator = models.FloatField(null=True, blank=True)
    source_unit = models.CharField(max_length=120)
    position = models.PositiveIntegerField()  # the record's position on its page
    mapping_version = models.PositiveIntegerField()
    declared_value = models.FloatField(null=True, blank=True)
    declared_denominator = models.FloatField(null=True, blank=True)
    conflict = models.BooleanField(default=False)
    measured_at = models.DateTimeField()

    class Meta:
        ordering = ["entry", "-measured_at", "-id"]
        indexes = [models.Index(fields=["entry", "-measured_at"], name="measured_entry_latest")]
