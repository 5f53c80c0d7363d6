"""Room: registry — the page of a province's comparison groups."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import ADMINS, membership_of, visible_groups
from dti.web.errors import ServiceError
from dti.web.registry.models import UnitGroup, UnitKind
from dti.web.registry.services.groups import framework_groups, group_add
from dti.web.views_common import role_required


class GroupForm(forms.Form):
    code = forms.ChoiceField(label=gettext_lazy("Group of the framework"))
    name = forms.CharField(
        label=gettext_lazy("Name (empty: the framework's)"), required=False, max_length=200
    )
    unit_kind = forms.ChoiceField(label=gettext_lazy("Kind of units"), choices=UnitKind.choices)
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, initial=0)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, f"{code} — {vi}") for code, (vi, _en) in framework_groups().items()]


@role_required(*ADMINS)
def group_list(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    province = membership.province if membership is not None else None
    form = GroupForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            group = group_add(
                actor=actor_of(request),
                province=province,
                code=form.cleaned_data["code"],
                unit_kind=UnitKind(form.cleaned_data["unit_kind"]),
                name=form.cleaned_data["name"],
                order=form.cleaned_data["order"],
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
        else:
            messages.success(request, _("Group %(name)s added.") % {"name": group.name})
            return redirect("group_list")
    groups = visible_groups(request.user, UnitGroup.objects.all()).order_by("order", "code")
    return render(
        request,
        "registry/group_list.html",
        {"groups": groups, "form": form, "problems": problems, "province": province},
    )
