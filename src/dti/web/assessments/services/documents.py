"""The unit's documents (the evidence registry): a document filed once with its metadata — a
file (type checked from its bytes, size limited, scanned) or a link — a verifier's remark on
it, and its removal while nothing links it.

Linking a document to an indicator, and filing one straight from the unit's form, are
:mod:`.evidence`'s; both file through :func:`document_build` here.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import (
    require_document_add,
    require_document_delete,
    require_document_remark,
)
from dti.web.assessments.models import Document, DocumentKind, DocumentRemark
from dti.web.assessments.uploads import ALLOWED_EXTENSIONS, check_office_document, detect_type
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.ops.names import checked_upload_name
from dti.web.ops.scan import scan_upload
from dti.web.ops.storage import delete_on_error, make_durable
from dti.web.registry.models import Unit

__all__ = [
    "DocumentDetails",
    "document_add",
    "document_build",
    "document_delete",
    "document_remark",
]

_REMARK_MAX = 2000


@dataclass(frozen=True)
class DocumentDetails:
    """What the unit says of a document (all optional but the kind)."""

    kind: str = DocumentKind.OTHER
    number: str = ""
    issued_on: dt.date | None = None
    issuer: str = ""
    title: str = ""


def document_build(
    *,
    actor: Actor,
    unit: Unit,
    upload: UploadedFile | None,
    url: str,
    details: DocumentDetails,
    written: list[str],
) -> Document:
    """A checked, saved document of ``unit`` (inside the caller's transaction). Its file is
    written and flushed before the row commits, so an acknowledged upload always has its file;
    its name goes to ``written`` (the caller's :func:`delete_on_error` list), so a failure later
    in the transaction deletes it and a kill leaves it to the storage sweep."""
    if (upload is None) == (not url):
        raise InvalidInput(_("Attach either a file or a link."))
    document = Document(
        unit=unit,
        uploaded_by=actor,
        url=url,
        kind=details.kind,
        number=details.number.strip(),
        issued_on=details.issued_on,
        issuer=details.issuer.strip(),
        title=details.title.strip(),
    )
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
        document.original_name = name
        document.content_type = detected[1]
        document.size = upload.size
        upload.seek(0)
        storage = document.file.storage
        document.file.save(name, File(upload), save=False)
        written.append(document.file.name)
        make_durable(storage, document.file.name)
    document.full_clean()
    document.save()
    return document


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


def document_add(
    *,
    actor: Actor,
    unit: Unit,
    upload: UploadedFile | None = None,
    url: str = "",
    details: DocumentDetails | None = None,
) -> Document:
    """File a document in ``unit``'s registry (the unit's library page), linked to nothing
    yet."""
    storage = Document._meta.get_field("file").storage
    with transaction.atomic(), delete_on_error(storage) as written:
        require_document_add(actor, unit)
        document = document_build(
            actor=actor,
            unit=unit,
            upload=upload,
            url=url,
            details=details or DocumentDetails(),
            written=written,
        )
        audit_record(
            actor=actor,
            action=AuditAction.DOCUMENT_ADD,
            obj=document,
            new=document_audit_value(document),
        )
    return document


def document_audit_value(document: Document) -> dict[str, str]:
    """A document's metadata as its events keep them."""
    return {
        "kind": document.kind,
        "number": document.number,
        "issued_on": document.issued_on.isoformat() if document.issued_on else "",
        "issuer": document.issuer,
        "title": document.title,
        "file": document.original_name,
        "link": document.url,
    }


def document_remark(*, actor: Actor, document: Document, text: str) -> DocumentRemark:
    """A verifier's remark on ``document``; it is read wherever the document is linked."""
    text = text.strip()
    if not text:
        raise InvalidInput(_("Write the remark."))
    if len(text) > _REMARK_MAX:
        raise InvalidInput(_("The remark is longer than %(n)s characters.") % {"n": _REMARK_MAX})
    with transaction.atomic():
        require_document_remark(actor, document)
        remark = DocumentRemark.objects.create(document=document, author=actor, text=text)
        audit_record(
            actor=actor,
            action=AuditAction.DOCUMENT_REMARK,
            obj=document,
            field="remark",
            new=text,
        )
    return remark


def document_delete(*, actor: Actor, document: Document) -> None:
    """Remove a document that nothing links and no verifier remarked on (a wrong upload):
    once linked or remarked it is part of an assessment's record and stays."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("unit__group")
            .get(pk=document.pk)
        )
        require_document_delete(actor, document)
        audit_record(
            actor=actor,
            action=AuditAction.DOCUMENT_DELETE,
            obj=document,
            old=document_audit_value(document),
        )
        stored = document.file.name if document.file else None
        storage = document.file.storage
        document.delete()
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))
