"""Room: registry — the units pages: the list, a unit's family and history, the import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dti.engine import HistoryMethod
from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import (
    ADMINS,
    REGISTRY_READERS,
    visible_groups,
    visible_provinces,
    visible_units,
)
from dti.web.audit.models import AuditEvent
from dti.web.errors import ServiceError
from dti.web.registry.models import Province, Unit, UnitGroup
from dti.web.registry.selectors import unit_family, unit_history, unit_history_method
from dti.web.registry.services import units_import
from dti.web.views_common import role_required


class UnitsImportForm(forms.Form):
    province = forms.ModelChoiceField(
        Province.objects.all(),
        required=False,
        label=gettext_lazy("Province"),
        help_text=gettext_lazy("The units' groups are the chosen province's."),
    )
    file = forms.FileField(label=gettext_lazy("Units table (.xlsx or .csv)"))
    lineage = forms.FileField(
        label=gettext_lazy("Lineage table (.xlsx or .csv; optional)"), required=False
    )


@role_required(*REGISTRY_READERS)
def unit_list(request: HttpRequest) -> HttpResponse:
    groups = visible_groups(request.user, UnitGroup.objects.all()).prefetch_related(
        "units__parent", "units__predecessors"
    )
    return render(request, "registry/unit_list.html", {"groups": groups})


METHOD_LABELS = {
    HistoryMethod.MEAN: gettext_lazy("the arithmetic mean of the predecessors"),
    HistoryMethod.WEIGHTED: gettext_lazy(
        "the mean of the predecessors weighted by the lineage weights"
    ),
    HistoryMethod.SUM: gettext_lazy("the sum of the predecessors"),
}


@role_required(*REGISTRY_READERS)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    units = visible_units(request.user, Unit.objects.all())
    unit = get_object_or_404(units.select_related("group", "parent"), pk=pk)
    history = AuditEvent.objects.filter(object_type="registry.unit", object_id=str(unit.pk))
    method = unit_history_method(unit)
    return render(
        request,
        "registry/unit_detail.html",
        {
            "unit": unit,
            "family": unit_family(unit),
            "scores": unit_history(unit, method),
            "history_method": METHOD_LABELS[method],
            "assessments": unit.assessments.select_related("period").order_by("-period__year"),
            "history": history.select_related("assessment__unit")[:100],
        },
    )


@role_required(*ADMINS)
def unit_import(request: HttpRequest) -> HttpResponse:
    provinces = visible_provinces(request.user, Province.objects.all())
    form = UnitsImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"province": provinces.first() if provinces.count() == 1 else None},
    )
    form.fields["province"].queryset = provinces  # type: ignore[attr-defined]
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        lineage = form.cleaned_data.get("lineage")
        suffixes = [Path(f.name).suffix.lower() for f in (upload, lineage) if f]
        if any(suffix not in (".xlsx", ".csv") for suffix in suffixes):
            problems = [_("Upload an .xlsx or .csv file.")]
        else:
            with tempfile.TemporaryDirectory() as tmp:
                paths = []
                for stem, part, suffix in zip(
                    ("units", "lineage"), (upload, lineage), suffixes, strict=False
                ):
                    path = Path(tmp) / f"{stem}{suffix}"
                    with path.open("wb") as handle:
                        for chunk in part.chunks():
                            handle.write(chunk)
                    paths.append(path)
                try:
                    count = units_import(
                        actor=actor_of(request),
                        path=paths[0],
                        lineage_path=paths[1] if len(paths) > 1 else None,
                        province=form.cleaned_data.get("province"),
                    )
                except ServiceError as error:
                    problems = [error.message, *error.problems]
                else:
                    messages.success(request, _("%(n)s units imported.") % {"n": count})
                    return redirect("unit_list")
    return render(request, "registry/unit_import.html", {"form": form, "problems": problems})
