"""The unit's documents stored once (Document, its verifier's remarks) and evidence as a link
from an indicator to one of them: every existing piece of evidence becomes a document of its
unit (its file, name, type, size or link, who uploaded it and when) linked where it was."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dti.web.assessments.models

_CARRIED = ("file", "original_name", "content_type", "size", "url")


def evidence_to_documents(apps: Any, schema_editor: Any) -> None:
    Evidence = apps.get_model("assessments", "Evidence")
    Document = apps.get_model("assessments", "Document")
    for evidence in Evidence.objects.select_related("entry__assessment").iterator():
        document = Document.objects.create(
            unit_id=evidence.entry.assessment.unit_id,
            kind="other",
            uploaded_by_id=evidence.uploaded_by_id,
            **{name: getattr(evidence, name) for name in _CARRIED},
        )
        # auto_now_add stamped the copy now: the document keeps the upload's own time.
        Document.objects.filter(pk=document.pk).update(uploaded_at=evidence.uploaded_at)
        Evidence.objects.filter(pk=evidence.pk).update(document_id=document.pk)


def documents_to_evidence(apps: Any, schema_editor: Any) -> None:
    Evidence = apps.get_model("assessments", "Evidence")
    for evidence in Evidence.objects.select_related("document").iterator():
        Evidence.objects.filter(pk=evidence.pk).update(
            **{name: getattr(evidence.document, name) for name in _CARRIED}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_verification_team_clarifications_disputes"),
        ("registry", "0003_unit_kind_province_and_split_merge_edge"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("decision", "Decision"),
                            ("plan", "Plan"),
                            ("report", "Report"),
                            ("regulation", "Regulation"),
                            ("letter", "Official letter"),
                            ("other", "Other document"),
                        ],
                        default="other",
                        max_length=20,
                    ),
                ),
                ("number", models.CharField(blank=True, max_length=100)),
                ("issued_on", models.DateField(blank=True, null=True)),
                ("issuer", models.CharField(blank=True, max_length=255)),
                ("title", models.CharField(blank=True, max_length=500)),
                (
                    "file",
                    models.FileField(
                        blank=True,
                        storage=dti.web.assessments.models.PrivateStorage,
                        upload_to=dti.web.assessments.models.evidence_path,
                    ),
                ),
                ("original_name", models.CharField(blank=True, max_length=255)),
                ("content_type", models.CharField(blank=True, max_length=120)),
                ("size", models.PositiveBigIntegerField(default=0)),
                ("url", models.URLField(blank=True, max_length=500)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="registry.unit",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-issued_on", "-uploaded_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("file", ""), ("url", ""), _negated=True),
                        name="document_file_or_url",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DocumentRemark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="remarks",
                        to="assessments.document",
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
        migrations.AddField(
            model_name="evidence",
            name="document",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="links",
                to="assessments.document",
            ),
        ),
        migrations.RemoveConstraint(model_name="evidence", name="evidence_file_or_url"),
        migrations.RunPython(evidence_to_documents, documents_to_evidence),
        *(migrations.RemoveField(model_name="evidence", name=name) for name in _CARRIED),
        migrations.AlterField(
            model_name="evidence",
            name="document",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="links",
                to="assessments.document",
            ),
        ),
        migrations.RenameField(model_name="evidence", old_name="uploaded_by", new_name="linked_by"),
        migrations.RenameField(model_name="evidence", old_name="uploaded_at", new_name="linked_at"),
        migrations.AlterModelOptions(name="evidence", options={"ordering": ["linked_at", "id"]}),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                fields=("entry", "document"), name="evidence_entry_document"
            ),
        ),
    ]
