"""Room: registry — the units pages: the list, a unit's family and history (the import in
:mod:`.views_import`, the changes in :mod:`.views_changes`)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy

from dti.engine import HistoryMethod
from dti.web.accounts.policy import (
    REGISTRY_READERS,
    can_administer_units,
    can_view_documents,
    visible_groups,
    visible_units,
)
from dti.web.audit.models import AuditEvent
from dti.web.paging import paged
from dti.web.registry.models import Unit, UnitGroup
from dti.web.registry.selectors import unit_family, unit_history, unit_history_method
from dti.web.registry.views_changes import ACTIONS, URL_NAMES
from dti.web.views_common import role_required


@role_required(*REGISTRY_READERS)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = (
        visible_units(request.user, Unit.objects.all())
        .select_related("group", "parent")
        .prefetch_related("predecessors")
        .order_by("group__order", "group__code", "name", "pk")
    )
    listed = paged(request, units)
    sizes = dict(
        visible_groups(request.user, UnitGroup.objects.all())
        .annotate(n=Count("units"))
        .values_list("pk", "n")
    )
    return render(request, "registry/unit_list.html", {"paged": listed, "sizes": sizes})


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
            "can_change": can_administer_units(request.user, unit.group.province),
            "can_see_documents": can_view_documents(request.user, unit),
            # An ended unit can still be corrected or moved, not reorganised again.
            "change_actions": [
                (URL_NAMES[name], spec[2])
                for name, spec in ACTIONS.items()
                if unit.active or name in ("edit", "transfer")
            ],
        },
    )
