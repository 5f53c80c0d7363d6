"""Evidence: one of the unit's documents linked to an indicator — a new one filed from the form
(a file, type checked from its bytes, size limited, scanned, or a link) or one already in the
unit's registry — and the link's removal (the document stays in the registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_self_edit
from dti.web.assessments.models import Assessment, Document, Evidence, IndicatorEntry
from dti.web.assessments.services._common import locked
from dti.web.assessments.services.documents import (
    DocumentDetails,
    document_audit_value,
    document_build,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput, NotFound
from dti.web.ops.faults import pause_point
from dti.web.ops.storage import delete_on_error

# Raises when the actor may not attach evidence to the assessment now.
EvidenceCheck = Callable[[Actor, Assessment, dt.datetime], None]


def evidence_add(
    *,
    actor: Actor,
    entry: IndicatorEntry,
    upload: UploadedFile | None = None,
    url: str = "",
    details: DocumentDetails | None = None,
    now: dt.datetime | None = None,
    allowed: EvidenceCheck = require_self_edit,
) -> Evidence:
    """File a new document (a file or a link) in the unit's registry and link it to an
    indicator. ``allowed`` raises when ``actor`` may not (the unit's draft; a clarification's
    answer passes its own rule)."""
    now = now or timezone.now()
    storage = Document._meta.get_field("file").storage
    # A failure inside the block deletes the file written; a kill leaves it to the storage
    # sweep (dti.web.ops.storage).
    with transaction.atomic(), delete_on_error(storage) as written:
        assessment = locked(entry.assessment)
        allowed(actor, assessment, now)
        document = document_build(
            actor=actor,
            unit=assessment.unit,
            upload=upload,
            url=url,
            details=details or DocumentDetails(),
            written=written,
        )
        audit_record(
            actor=actor,
            action=AuditAction.DOCUMENT_ADD,
            obj=document,
            assessment=assessment,
            new=document_audit_value(document),
        )
        evidence = _link(actor, assessment, entry, document)
        pause_point("evidence")  # crash tests: the file written, its row not committed yet
    return evidence


def evidence_link(
    *,
    actor: Actor,
    entry: IndicatorEntry,
    document: Document,
    now: dt.datetime | None = None,
    allowed: EvidenceCheck = require_self_edit,
) -> Evidence:
    """Link a document already in the unit's registry to an indicator (once per indicator)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(entry.assessment)
        allowed(actor, assessment, now)
        if document.unit_id != assessment.unit_id:
            # Another unit's document is not named, not even to say it exists.
            raise NotFound(_("The document no longer exists."))
        if Evidence.objects.filter(entry=entry, document=document).exists():
            raise InvalidInput(
                _("%(document)s is already linked to %(code)s.")
                % {"document": document.audit_label(), "code": entry.indicator}
            )
        return _link(actor, assessment, entry, document)


def _link(
    actor: Actor, assessment: Assessment, entry: IndicatorEntry, document: Document
) -> Evidence:
    evidence = Evidence.objects.create(entry=entry, document=document, linked_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.EVIDENCE_ADD,
        obj=evidence,
        assessment=assessment,
        field=entry.indicator,
        new=document.audit_label(),
    )
    return evidence


def evidence_delete(*, actor: Actor, evidence: Evidence, now: dt.datetime | None = None) -> None:
    """Unlink a document from an indicator; the document stays in the unit's registry (its
    library page removes it once nothing links it)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(evidence.entry.assessment)
        require_self_edit(actor, assessment, now)
        audit_record(
            actor=actor,
            action=AuditAction.EVIDENCE_DELETE,
            obj=evidence,
            assessment=assessment,
            field=evidence.entry.indicator,
            old=evidence.document.audit_label(),
        )
        evidence.delete()
