"""The unit's form on the assessment page: every indicator in one form, saved as one action.

Without JavaScript the form posts whole: only the rows the user changed (each row carries
the values it was loaded with) go to the service, with their versions, in one call; "Attach",
"Link" (one of the unit's documents) and "Remove" on a piece of evidence post the same form,
so what was typed is saved first, never dropped. With JavaScript (``static/dti/app.js``) the
page posts only the changed rows and the evidence alone, answered in JSON, and warns before
leaving with unsaved changes.
A refused save shows the page again with everything typed still in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import (
    can_edit_self,
    require_self_edit,
    transition_refusal,
    visible_documents,
)
from dti.web.assessments import services
from dti.web.assessments.completeness import completeness
from dti.web.assessments.document_selectors import LinkChoices, link_choices
from dti.web.assessments.forms import EntryRowForm, EvidenceForm, LinkForm, row_changed
from dti.web.assessments.models import (
    Assessment,
    Document,
    DocumentKind,
    Evidence,
    IndicatorEntry,
)
from dti.web.assessments.selectors import SheetLine, assessment_sheet
from dti.web.assessments.views.summary import summary_context
from dti.web.assessments.workflow import TRANSITIONS, TransitionName
from dti.web.connectors.selectors import latest_measurements
from dti.web.errors import Forbidden, InvalidInput, NotFound, ServiceError
from dti.web.views_common import error_response, wants_json

RowForms = dict[int, EntryRowForm]


def input_number(value: float | None) -> str:
    """A stored number as the form shows it: every digit kept, a decimal comma and no
    grouping, so that it reads back as exactly the same number (1,234 is 1.234; the text
    1.234 would be refused as ambiguous)."""
    if value is None:
        return ""
    return str(np.format_float_positional(value, trim="-")).replace(".", ",")


def _prefix(entry_pk: int) -> str:
    return f"e{entry_pk}"


def row_forms(lines: Sequence[SheetLine]) -> RowForms:
    """A form per leaf, loaded with the entry's data (the page's initial state)."""
    out: RowForms = {}
    for line in lines:
        e = line.entry
        if not line.is_leaf or e is None:
            continue
        out[e.pk] = EntryRowForm(
            prefix=_prefix(e.pk),
            initial={
                "version": e.version,
                "value": input_number(e.self_value),
                "denominator": input_number(e.self_denominator),
                "not_applicable": not e.self_applicable,
                "explanation": e.explanation,
            },
        )
    return out


def self_form_context(
    request: HttpRequest,
    assessment: Assessment,
    lines: Sequence[SheetLine],
    forms: RowForms | None = None,
    problems: Sequence[str] = (),
) -> dict[str, Any]:
    """What the reporter's parts of the page need: the pillars' progress (navigation, the
    "not yet filled" filter) and, when the unit may edit, the rows' forms."""
    check = completeness(lines)
    editing = can_edit_self(request.user, assessment, timezone.now())
    measured = [line.entry.pk for line in lines if line.measured_by and line.entry is not None]
    return {
        "measurements": latest_measurements(measured) if measured else {},
        "progress": check.pillars,
        "check": check,
        "row_forms": forms if forms is not None else row_forms(lines),
        "form_problems": list(problems),
        "link_choices": _link_choices(request, assessment, lines) if editing else {},
        "document_kinds": DocumentKind.choices,
    }


def _link_choices(
    request: HttpRequest, assessment: Assessment, lines: Sequence[SheetLine]
) -> dict[int, LinkChoices]:
    """What each row's "link a document of the unit" offers (suggestions first)."""
    documents = list(
        visible_documents(request.user, Document.objects.filter(unit_id=assessment.unit_id))
    )
    return link_choices(lines, documents)


def _posted_rows(request: HttpRequest, assessment: Assessment) -> tuple[RowForms, dict[int, str]]:
    """The rows the request carries (a page may send them all, or only the changed ones)."""
    codes = dict(assessment.entries.values_list("pk", "indicator"))
    forms = {
        pk: EntryRowForm(request.POST, prefix=_prefix(pk))
        for pk in codes
        if f"{_prefix(pk)}-version" in request.POST
    }
    return forms, codes


def _changes(forms: RowForms, codes: dict[int, str]) -> list[services.EntryChange]:
    changes = []
    for pk, form in forms.items():
        if not row_changed(form):
            continue
        data = form.cleaned_data
        changes.append(
            services.EntryChange(
                indicator=codes[pk],
                version=data["version"],
                value=data["value"],
                denominator=data["denominator"],
                applicable=not data["not_applicable"],
                explanation=data["explanation"],
            )
        )
    return changes


def _evidence_action(
    request: HttpRequest, assessment: Assessment, codes: dict[int, str]
) -> tuple[int | None, str]:
    """Attach or remove the evidence the request asks for; returns the entry touched and the
    message."""
    actor = actor_of(request)
    attach = request.POST.get("attach", "")
    if attach.isdigit() and int(attach) in codes:
        entry = IndicatorEntry.objects.select_related("assessment").get(pk=int(attach))
        form = EvidenceForm(request.POST, request.FILES, prefix=_prefix(entry.pk))
        if not form.is_valid():
            raise InvalidInput(
                _("Check the evidence."),
                problems=[" ".join(str(m) for m in v) for v in form.errors.values()],
            )
        services.evidence_add(
            actor=actor,
            entry=entry,
            upload=form.cleaned_data["file"],
            url=form.cleaned_data["url"] or "",
            details=form.details(),
        )
        return entry.pk, _("Evidence attached to %(code)s.") % {"code": entry.indicator}
    link = request.POST.get("link", "")
    if link.isdigit() and int(link) in codes:
        entry = IndicatorEntry.objects.select_related("assessment").get(pk=int(link))
        chosen = LinkForm(request.POST, prefix=_prefix(entry.pk))
        if not chosen.is_valid():
            raise InvalidInput(_("Choose one of the unit's documents."))
        document = Document.objects.filter(
            pk=chosen.cleaned_data["document"], unit_id=assessment.unit_id
        ).first()
        if document is None:
            raise NotFound(_("The document no longer exists."))
        services.evidence_link(actor=actor, entry=entry, document=document)
        return entry.pk, _("%(document)s linked to %(code)s.") % {
            "document": document.audit_label(),
            "code": entry.indicator,
        }
    remove = request.POST.get("remove_evidence", "")
    if remove.isdigit():
        evidence = (
            Evidence.objects.select_related("entry__assessment", "document")
            .filter(pk=int(remove), entry__assessment=assessment)
            .first()
        )
        if evidence is None:
            raise NotFound(_("The evidence no longer exists."))
        services.evidence_delete(actor=actor, evidence=evidence)
        return evidence.entry_id, _("Evidence removed.")
    return None, ""


def _saved_message(changed: int) -> str:
    if not changed:
        return _("Nothing to save: no indicator changed.")
    return ngettext("%(n)s indicator saved.", "%(n)s indicators saved.", changed) % {"n": changed}


@require_POST
def entries_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the unit's form (the changed rows, one service call), then attach or remove the
    evidence its button asked for."""
    from dti.web.assessments.views.assessment import _assessment, render_assessment

    assessment = _assessment(request, pk)
    back = reverse("assessment_detail", args=[pk])
    forms, codes = _posted_rows(request, assessment)
    invalid = {p: f for p, f in forms.items() if not f.is_valid()}
    changes: list[services.EntryChange] = []
    saved = None
    try:
        require_self_edit(actor_of(request), assessment, timezone.now())
        if invalid:
            raise InvalidInput(
                _("Check the form."),
                problems=[
                    f"{codes[p]}: {' '.join(str(m) for v in f.errors.values() for m in v)}"
                    for p, f in invalid.items()
                ],
            )
        changes = _changes(forms, codes)
        if changes:
            saved = services.assessment_save_entries(
                actor=actor_of(request), assessment=assessment, changes=changes
            )
            assessment = saved.assessment
    except ServiceError as error:
        # Nothing was saved: the page again, with everything as typed.
        if isinstance(error, Forbidden):
            raise PermissionDenied(error.message) from error
        if wants_json(request):
            return _json_refusal(error, invalid)
        messages.error(request, error.message, extra_tags=error.code)
        return render_assessment(
            request,
            assessment,
            forms=_page_forms(assessment, forms),
            problems=error.problems,
            status=error.http_status,
        )
    message = _saved_message(saved.changed if saved else 0)
    first = next((c.indicator for c in changes), "")
    try:
        touched, evidence_message = _evidence_action(request, assessment, codes)
    except ServiceError as error:
        # The values (if any) are saved; only the evidence was refused.
        if wants_json(request):
            return _json_refusal(error, {})
        if saved is not None:
            messages.success(request, message)
        return error_response(request, error, back + (f"#e-{first}" if first else ""))
    if evidence_message:
        message = f"{message} {evidence_message}" if changes else evidence_message
    if wants_json(request):
        return _json_saved(request, assessment, saved, touched, message)
    messages.success(request, message)
    first = first or codes.get(touched or 0, "")
    return redirect(back + (f"#e-{first}" if first else ""))


def _page_forms(assessment: Assessment, posted: RowForms) -> RowForms:
    """The page's forms after a refusal: the posted rows as typed, the others as loaded."""
    return {**row_forms(assessment_sheet(assessment)), **posted}


def _json_refusal(error: ServiceError, invalid: RowForms) -> JsonResponse:
    return JsonResponse(
        {
            "ok": False,
            "code": error.code,
            "message": error.message,
            "problems": error.problems,
            "rows": {
                str(p): [str(m) for v in f.errors.values() for m in v] for p, f in invalid.items()
            },
        },
        status=error.http_status,
    )


def _json_saved(
    request: HttpRequest,
    assessment: Assessment,
    saved: services.EntriesSaved | None,
    touched: int | None,
    message: str,
) -> JsonResponse:
    """The new versions and points of the rows sent, the summary, the pillars' progress and
    the evidence list of the row whose evidence changed. The progress is counted from the
    entries the save holds (only the evidence is read again), and the navigation is rendered
    without the request's context processors: this answers every keystroke's save."""
    language = get_language() or "vi"
    lines = assessment_sheet(
        assessment, language, entries=saved.all_entries if saved and not touched else None
    )
    points: dict[str, list[float | None]] = assessment.points or {}
    rows = {
        str(e.pk): {"version": e.version, "self_points": points.get(e.indicator, [None])[0]}
        for e in (saved.entries if saved else [])
    }
    editing = can_edit_self(request.user, assessment, timezone.now())
    context = {
        "a": assessment,
        "progress": completeness(lines).pillars,
        "can_edit": editing,
    }
    evidence = {}
    if touched:  # only then the unit's documents are read (the row's "link a document")
        line = next(x for x in lines if x.entry is not None and x.entry.pk == touched)
        evidence[str(touched)] = render_to_string(
            "assessments/_evidence.html",
            {
                **context,
                "line": line,
                "e": line.entry,
                "link_choices": _link_choices(request, assessment, lines) if editing else {},
                "document_kinds": DocumentKind.choices,
            },
            request,
        )
    return JsonResponse(
        {
            "ok": True,
            "message": message,
            "rows": rows,
            "evidence": evidence,
            "summary_html": render_to_string(
                "assessments/_summary.html", summary_context(assessment)
            ),
            "nav_html": render_to_string("assessments/_pillar_nav.html", context),
        }
    )


def submit_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Before a submission: what is not filled, which evidence the framework asks for is
    missing, which pillars stand at zero; the confirmation posts the submission."""
    from dti.web.assessments.views.assessment import _assessment

    assessment = _assessment(request, pk)
    refusal = transition_refusal(
        request.user, assessment, TRANSITIONS[TransitionName.SUBMIT], timezone.now()
    )
    if refusal is not None:
        return error_response(request, refusal, reverse("assessment_detail", args=[pk]))
    check = completeness(assessment_sheet(assessment, get_language() or "vi"))
    return render(request, "assessments/submit_check.html", {"a": assessment, "check": check})
