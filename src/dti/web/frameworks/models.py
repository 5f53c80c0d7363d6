"""Stored framework versions: the YAML text as uploaded, validated by the engine."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FrameworkVersion(models.Model):
    code = models.SlugField(max_length=80)
    version = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    yaml_text = models.TextField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.version})"
