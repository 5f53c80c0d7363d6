"""The unit's library (the evidence registry): its documents with where each is linked and the
verifiers' remarks; filing a document, remarking on one, removing an unlinked one; downloads.
Who may do what is :mod:`dti.web.accounts.policy`'s (another province's: not found)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import can_add_document, can_remark_documents, documents_refusal
from dti.web.assessments import services
from dti.web.assessments.document_selectors import unit_documents
from dti.web.assessments.forms import EvidenceForm, RemarkForm
from dti.web.assessments.models import Document
from dti.web.errors import InvalidInput, NotFound, ServiceError
from dti.web.registry.models import Unit
from dti.web.views_common import error_response


def _readable(request: HttpRequest, unit: Unit) -> None:
    refusal = documents_refusal(request.user, unit)
    if isinstance(refusal, NotFound):
        raise Http404(refusal.message)
    if refusal is not None:
        raise PermissionDenied(refusal.message)


def _document(request: HttpRequest, document_pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("unit__group"), pk=document_pk)
    _readable(request, document.unit)
    return document


def unit_library(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The unit's documents; its reporter files new ones here (POST)."""
    unit = get_object_or_404(Unit.objects.select_related("group"), pk=unit_pk)
    _readable(request, unit)
    form = EvidenceForm()
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise InvalidInput(
                    _("Check the form."),
                    problems=[" ".join(str(m) for m in v) for v in form.errors.values()],
                )
            document = services.document_add(
                actor=actor_of(request),
                unit=unit,
                upload=form.cleaned_data["file"],
                url=form.cleaned_data["url"] or "",
                details=form.details(),
            )
        except ServiceError as error:
            # The page again with the details as typed (a file input cannot be refilled).
            messages.error(request, error.message, extra_tags=error.code)
            for problem in error.problems:
                messages.error(request, problem)
            status = error.http_status
        else:
            messages.success(
                request, _("%(document)s filed.") % {"document": document.audit_label()}
            )
            return redirect(reverse("unit_library", args=[unit.pk]) + f"#doc-{document.pk}")
    documents = unit_documents(request.user, unit)
    return render(
        request,
        "assessments/library.html",
        {
            "unit": unit,
            "documents": documents,
            "form": form,
            "can_add": can_add_document(request.user, unit),
            "can_remark": can_remark_documents(request.user, unit),
            "remark_form": RemarkForm(),
        },
        status=status,
    )


def document_download(request: HttpRequest, document_pk: int) -> HttpResponseBase:
    return document_file_response(_document(request, document_pk))


def document_file_response(document: Document) -> HttpResponseBase:
    """A stored document's file, streamed (after the caller's permission check) as an
    attachment the browser never sniffs or caches; 404 for a link without a file."""
    if not document.file:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def document_remark(request: HttpRequest, document_pk: int) -> HttpResponse:
    document = _document(request, document_pk)
    back = reverse("unit_library", args=[document.unit_id]) + f"#doc-{document.pk}"
    form = RemarkForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Write the remark."))
        services.document_remark(
            actor=actor_of(request), document=document, text=form.cleaned_data["text"]
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Remark added."))
    return redirect(back)


@require_POST
def document_delete(request: HttpRequest, document_pk: int) -> HttpResponse:
    document = _document(request, document_pk)
    back = reverse("unit_library", args=[document.unit_id])
    try:
        services.document_delete(actor=actor_of(request), document=document)
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Document removed."))
    return redirect(back)
