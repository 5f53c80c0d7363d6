"""Existing evidence moves into the registry: migration 0006 makes each piece of evidence a
document of its unit (file, name, type, size or link, who uploaded it and when) linked where it
was, and migrating back restores the pieces as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from tests.web.conftest import entry
from tests.web.evidence_world import PDF

from dti.web.assessments.services import evidence_add

BEFORE = [("assessments", "0005_verification_team_clarifications_disputes")]
AFTER = [("assessments", "0006_document_registry")]


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def _schema_restored() -> Any:
    """Whatever the test migrates back, the database ends at every app's last migration (the
    migrations after 0006, and the apps depending on them, were unapplied by going back to
    0005): the tests after this one run on the whole schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_evidence_becomes_documents_of_its_unit_and_back(
    world: dict[str, Any],
    settings: Any,
    _schema_restored: None,  # noqa: PT019 - after the database fixtures: undone before their flush
) -> None:
    reporter = world["users"]["reporter"]
    e11, e12 = entry(world["mine"], "1.1"), entry(world["mine"], "1.2")
    upload = evidence_add(actor=reporter, entry=e11, upload=SimpleUploadedFile("qd.pdf", PDF))
    link = evidence_add(actor=reporter, entry=e12, url="https://so.example.gov.vn/kh")
    stored = upload.file.name
    try:
        old = _migrate(BEFORE).get_model("assessments", "Evidence")
        rows = {
            e.pk: (e.entry_id, str(e.file), e.original_name, e.content_type, e.size, e.url)
            for e in old.objects.all()
        }
        assert rows == {
            upload.pk: (e11.pk, stored, "qd.pdf", "application/pdf", len(PDF), ""),
            link.pk: (e12.pk, "", "", "", 0, "https://so.example.gov.vn/kh"),
        }
        uploaded_at = old.objects.get(pk=upload.pk).uploaded_at
    finally:
        new_apps = _migrate(AFTER)
    Evidence = new_apps.get_model("assessments", "Evidence")
    moved = {e.pk: e for e in Evidence.objects.select_related("document")}
    assert set(moved) == {upload.pk, link.pk}  # the same links: the pages' URLs still hold
    document = moved[upload.pk].document
    assert (document.unit_id, str(document.file), document.original_name, document.kind) == (
        world["units"]["a"].pk,
        stored,
        "qd.pdf",
        "other",
    )
    assert document.uploaded_at == uploaded_at and document.uploaded_by_id == reporter.pk
    assert moved[link.pk].document.url == "https://so.example.gov.vn/kh"
    assert (Path(settings.MEDIA_ROOT) / stored).read_bytes() == PDF
