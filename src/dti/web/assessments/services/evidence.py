"""Evidence: a file (type checked from its bytes, size limited, scanned) or a link attached to
an indicator by the unit, and its removal."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_self_edit
from dti.web.assessments.models import Assessment, Evidence, IndicatorEntry
from dti.web.assessments.services._common import locked
from dti.web.assessments.uploads import ALLOWED_EXTENSIONS, check_office_document, detect_type
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.ops.faults import pause_point
from dti.web.ops.names import checked_upload_name
from dti.web.ops.scan import scan_upload
from dti.web.ops.storage import delete_on_error, make_durable

# Raises when the actor may not attach evidence to the assessment now.
EvidenceCheck = Callable[[Actor, Assessment, dt.datetime], None]


def evidence_add(
    *,
    actor: Actor,
    entry: IndicatorEntry,
    upload: UploadedFile | None = None,
    url: str = "",
    now: dt.datetime | None = None,
    allowed: EvidenceCheck = require_self_edit,
) -> Evidence:
    """Attach a file (type checked from its bytes, size limited) or a link to an indicator.
    ``allowed`` raises when ``actor`` may not (the unit's draft; a clarification's answer
    passes its own rule)."""
    now = now or timezone.now()
    storage = Evidence._meta.get_field("file").storage
    # The file is written and flushed before the row commits, so an acknowledged upload always
    # has its file; a failure inside the block deletes it, a kill leaves it to the storage
    # sweep (dti.web.ops.storage).
    with transaction.atomic(), delete_on_error(storage) as written:
        assessment = locked(entry.assessment)
        allowed(actor, assessment, now)
        if (upload is None) == (not url):
            raise InvalidInput(_("Attach either a file or a link."))
        evidence = Evidence(entry=entry, uploaded_by=actor, url=url)
        if upload is not None:
            name = checked_upload_name(upload.name)
            if upload.size is None or upload.size > settings.DTI_EVIDENCE_MAX_BYTES:
                raise InvalidInput(
                    _("The file is larger than %(mb)s MB.")
                    % {"mb": settings.DTI_EVIDENCE_MAX_BYTES // (1024 * 1024)}
                )
            if Path(name).suffix.lower() not in ALLOWED_EXTENSIONS:
                raise InvalidInput(
                    _("Only PDF, images and Office documents are accepted (%(exts)s).")
                    % {"exts": ", ".join(sorted(ALLOWED_EXTENSIONS))}
                )
            detected = _detect_upload(upload, name)
            if detected is None:
                raise InvalidInput(
                    _("The content of %(name)s does not match its type.") % {"name": name}
                )
            evidence.original_name = name
            evidence.content_type = detected[1]
            evidence.size = upload.size
            upload.seek(0)
            evidence.file.save(name, File(upload), save=False)
            written.append(evidence.file.name)
            make_durable(storage, evidence.file.name)
        evidence.full_clean()
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.EVIDENCE_ADD,
            obj=evidence,
            assessment=assessment,
            field=entry.indicator,
            new=evidence.original_name or evidence.url,
        )
        pause_point("evidence")  # crash tests: the file written, its row not committed yet
    return evidence


def _detect_upload(upload: UploadedFile, name: str) -> tuple[str, str] | None:
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        return _detect(Path(temporary()), name)
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        return _detect(Path(handle.name), name)


def _detect(path: Path, name: str) -> tuple[str, str] | None:
    """The scan hook, the type from the bytes, then an Office document's structure."""
    scan_upload(path, name)
    detected = detect_type(path, name)
    if detected is None:
        return None
    office = check_office_document(path, name)
    return (detected[0], office) if office else detected


def evidence_delete(*, actor: Actor, evidence: Evidence, now: dt.datetime | None = None) -> None:
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
            old=evidence.original_name or evidence.url,
        )
        stored = evidence.file.name if evidence.file else None
        evidence.delete()
        if stored:
            storage = evidence.file.storage
            transaction.on_commit(lambda: storage.delete(stored))
