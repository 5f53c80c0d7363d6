"""Room: registry — the units import page and its progress page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dti.web.accounts.actors import Viewer, actor_of
from dti.web.accounts.policy import ADMINS, can_administer_units
from dti.web.errors import Forbidden, NotFound, ServiceError
from dti.web.registry.models import Province
from dti.web.registry.services.units_import_jobs import (
    UnitsImportJob,
    units_import_job,
    units_import_start,
)
from dti.web.views_common import role_required


class UnitsImportForm(forms.Form):
    province = forms.ModelChoiceField(
        Province.objects.none(),
        required=False,
        label=gettext_lazy("Province"),
        help_text=gettext_lazy("The units' groups are the chosen province's."),
    )
    file = forms.FileField(label=gettext_lazy("Units table (.xlsx or .csv)"))
    lineage = forms.FileField(
        label=gettext_lazy("Lineage table (.xlsx or .csv; optional)"), required=False
    )

    def __init__(self, *args: object, user: Viewer, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        allowed = [p.pk for p in Province.objects.all() if can_administer_units(user, p)]
        field = self.fields["province"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Province.objects.filter(pk__in=allowed)
        # A provincial administrator imports into the own province only: no empty choice.
        field.required = not can_administer_units(user, None)
        if len(allowed) == 1:
            self.initial.setdefault("province", allowed[0])


@role_required(*ADMINS)
def unit_import(request: HttpRequest) -> HttpResponse:
    form = UnitsImportForm(request.POST or None, request.FILES or None, user=request.user)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            job = units_import_start(
                actor=actor_of(request),
                province=form.cleaned_data.get("province"),
                upload=form.cleaned_data["file"],
                lineage=form.cleaned_data.get("lineage"),
            )
        except Forbidden as error:
            raise PermissionDenied(error.message) from error
        except ServiceError as error:
            problems = [error.message, *error.problems]
        else:
            if job.running:
                return redirect("unit_import_progress", job_id=job.id)
            if job.state == "done":
                return _done(request, job)
            problems = [job.message, *job.problems]
    return render(request, "registry/unit_import.html", {"form": form, "problems": problems})


def _done(request: HttpRequest, job: UnitsImportJob) -> HttpResponse:
    count = number_format(job.units, force_grouping=True)
    messages.success(request, _("%(n)s units imported.") % {"n": count})
    return redirect("unit_list")


@role_required(*ADMINS)
def unit_import_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = units_import_job(actor=actor_of(request), job_id=job_id)
    except NotFound as error:
        raise Http404(error.message) from error
    if job.state == "done":
        return _done(request, job)
    return render(request, "registry/unit_import_progress.html", {"job": job})
