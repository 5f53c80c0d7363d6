"""Room: registry — the pages that change units: add, edit, end, rename, merge, split and
transfer (to another group or parent). Each is a form, then a preview of what will be
recorded (the service run and rolled back, :func:`change_preview`), then the confirmation that
saves it; the form keeps what was typed throughout. The services decide and validate; the
policy says who may (:func:`can_administer_units`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dti.web.accounts.actors import Actor, Viewer, actor_of
from dti.web.accounts.policy import ADMINS, can_administer_units
from dti.web.errors import Forbidden, InvalidInput, ServiceError
from dti.web.registry.models import Unit, UnitGroup
from dti.web.registry.services import (
    unit_create,
    unit_end,
    unit_rename,
    unit_split,
    unit_update,
    units_absorb,
)
from dti.web.registry.services.preview import change_preview
from dti.web.views_common import role_required


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _groups(user: Viewer) -> Any:
    allowed = [g.pk for g in UnitGroup.objects.all() if can_administer_units(user, g.province)]
    return UnitGroup.objects.filter(pk__in=allowed)


def _units(user: Viewer, exclude: Unit | None = None) -> Any:
    """The units the user administers that still exist (an ended unit takes part in nothing)."""
    units = Unit.objects.filter(group__in=_groups(user), active=True).select_related("group")
    return units.exclude(pk=exclude.pk) if exclude is not None else units


class AddForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    group = forms.ModelChoiceField(UnitGroup.objects.none(), label=gettext_lazy("Group"))
    parent = forms.ModelChoiceField(
        Unit.objects.none(), required=False, label=gettext_lazy("Parent")
    )
    valid_from = forms.DateField(
        required=False, label=gettext_lazy("First day"), widget=_date_input()
    )
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255)


class EditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    active = forms.BooleanField(required=False, label=gettext_lazy("Active"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


class TransferForm(forms.Form):
    group = forms.ModelChoiceField(UnitGroup.objects.none(), label=gettext_lazy("New group"))
    parent = forms.ModelChoiceField(
        Unit.objects.none(), required=False, label=gettext_lazy("New parent")
    )
    reason = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255)


class EndForm(forms.Form):
    last_day = forms.DateField(label=gettext_lazy("Last day"), widget=_date_input())
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255)


class RenameForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("New code"))
    name = forms.CharField(label=gettext_lazy("New name"), max_length=255)
    date = forms.DateField(label=gettext_lazy("Effective from"), widget=_date_input())
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255)


class MergeForm(forms.Form):
    others = forms.ModelMultipleChoiceField(
        Unit.objects.none(), label=gettext_lazy("Merged with"), widget=forms.SelectMultiple
    )
    # A merge forms a new unit, or one of the merged units goes on under its own code and
    # name and takes the others in (an absorption: its past is derived from all of them).
    continuing = forms.ModelChoiceField(
        Unit.objects.none(),
        required=False,
        label=gettext_lazy("The unit that goes on"),
        empty_label=gettext_lazy("None: a new unit is formed"),
        help_text=gettext_lazy(
            "Choose the merged unit that keeps its code and name, if one does; its earlier "
            "results are then compared with those of all the merged units."
        ),
    )
    code = forms.SlugField(label=gettext_lazy("Code of the new unit"), required=False)
    name = forms.CharField(
        label=gettext_lazy("Name of the new unit"), max_length=255, required=False
    )
    date = forms.DateField(label=gettext_lazy("Effective from"), widget=_date_input())
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255)

    unit: Unit | None = None  # the unit whose page this is, one of the merged (set by the view)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        continuing = data.get("continuing")
        merged = [self.unit, *data.get("others", ())]
        if continuing is not None and continuing not in merged:
            self.add_error(
                "continuing", _("The unit that goes on must be one of the merged units.")
            )
        if continuing is None:
            for name in ("code", "name"):
                if not data.get(name):
                    self.add_error(name, _("A new unit needs a code and a name."))
        return data


class SplitForm(forms.Form):
    successors = forms.CharField(
        label=gettext_lazy("New units, one a line: code; name; share (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    date = forms.DateField(label=gettext_lazy("Effective from"), widget=_date_input())
    basis = forms.CharField(label=gettext_lazy("Legal basis"), max_length=255)

    def clean_successors(self) -> list[tuple[str, str, float | None]]:
        out = []
        for n, line in enumerate(str(self.cleaned_data["successors"]).splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            try:
                share = float(parts[2].replace(",", ".")) if len(parts) > 2 and parts[2] else None
            except ValueError:
                share = -1.0
            if len(parts) < 2 or not parts[0] or not parts[1] or (share is not None and share <= 0):
                raise forms.ValidationError(
                    _("Line %(n)s: write code; name; share (a positive number, optional).")
                    % {"n": n}
                )
            out.append((parts[0], parts[1], share))
        return out


def _scope(form: forms.Form, user: Viewer, unit: Unit | None) -> None:
    """The choices are the units and groups the user administers."""
    for name in ("group",):
        if name in form.fields:
            form.fields[name].queryset = _groups(user)  # type: ignore[attr-defined]
    for name in ("parent", "others"):
        if name in form.fields:
            form.fields[name].queryset = _units(user, exclude=unit)  # type: ignore[attr-defined]
    if "continuing" in form.fields:
        form.fields["continuing"].queryset = _units(user)  # type: ignore[attr-defined]


def _save_add(actor: Actor, unit: Unit | None, data: dict[str, Any]) -> object:
    return unit_create(
        actor=actor,
        code=data["code"],
        name=data["name"],
        group=data["group"],
        parent=data["parent"],
        valid_from=data["valid_from"],
        basis=data["basis"],
    )


def _save_edit(actor: Actor, unit: Unit, data: dict[str, Any]) -> object:
    return unit_update(
        actor=actor,
        unit=unit,
        name=data["name"],
        group=unit.group,
        parent=unit.parent,
        active=data["active"],
        reason=data["reason"],
    )


def _save_transfer(actor: Actor, unit: Unit, data: dict[str, Any]) -> object:
    return unit_update(
        actor=actor,
        unit=unit,
        name=unit.name,
        group=data["group"],
        parent=data["parent"],
        active=unit.active,
        reason=data["reason"],
    )


def _save_end(actor: Actor, unit: Unit, data: dict[str, Any]) -> object:
    return unit_end(actor=actor, unit=unit, last_day=data["last_day"], basis=data["basis"])


def _save_rename(actor: Actor, unit: Unit, data: dict[str, Any]) -> object:
    return unit_rename(
        actor=actor,
        unit=unit,
        code=data["code"],
        name=data["name"],
        date=data["date"],
        basis=data["basis"],
    )


def _save_merge(actor: Actor, unit: Unit, data: dict[str, Any]) -> object:
    predecessors: dict[Unit, float | None] = dict.fromkeys([unit, *data["others"]])
    continuing: Unit | None = data["continuing"]
    if continuing is not None:
        units_absorb(
            actor=actor,
            continuing=continuing,
            absorbed=[u for u in predecessors if u != continuing],
            date=data["date"],
            basis=data["basis"],
        )
        return continuing
    return unit_create(
        actor=actor,
        code=data["code"],
        name=data["name"],
        group=unit.group,
        parent=unit.parent,
        valid_from=data["date"],
        basis=data["basis"],
        predecessors=predecessors,
    )


def _save_split(actor: Actor, unit: Unit, data: dict[str, Any]) -> object:
    if len(data["successors"]) < 2:
        raise InvalidInput(_("A split needs at least two new units."))
    with transaction.atomic():
        created = {
            unit_create(
                actor=actor,
                code=code,
                name=name,
                group=unit.group,
                parent=unit.parent,
                basis=data["basis"],
            ): share
            for code, name, share in data["successors"]
        }
        return unit_split(
            actor=actor,
            predecessor=unit,
            successors=created,
            date=data["date"],
            basis=data["basis"],
        )


Saver = Callable[[Actor, Unit, dict[str, Any]], object]
ACTIONS: dict[str, tuple[type[forms.Form], Saver, Any]] = {
    "edit": (EditForm, _save_edit, gettext_lazy("Edit the unit")),
    "transfer": (TransferForm, _save_transfer, gettext_lazy("Move to another group or parent")),
    "end": (EndForm, _save_end, gettext_lazy("End the unit")),
    "rename": (RenameForm, _save_rename, gettext_lazy("Rename the unit")),
    "merge": (MergeForm, _save_merge, gettext_lazy("Merge with other units")),
    "split": (SplitForm, _save_split, gettext_lazy("Split into new units")),
}

# The page of each action: /units/<pk>/<action>/, named unit_<action>.
URL_NAMES = {action: f"unit_{action}" for action in ACTIONS}


def _initial(action: str, unit: Unit) -> dict[str, Any]:
    if action == "edit":
        return {"name": unit.name, "active": unit.active}
    if action == "transfer":
        return {"group": unit.group_id, "parent": unit.parent_id}
    return {"date": dt.date.today()} if action in ("rename", "merge", "split") else {}


def _page(
    request: HttpRequest,
    unit: Unit | None,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    title: object,
) -> HttpResponse:
    """Form → preview (the service run and undone) → confirmation (the service run)."""
    preview, problems = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("confirm"):
                result = save(data)
                messages.success(request, _("Saved; the change is in the audit trail."))
                # A merge, a rename or a new unit: its page; otherwise the changed unit's.
                shown = result if isinstance(result, Unit) else unit
                return redirect("unit_detail", shown.pk) if shown else redirect("unit_list")
            preview = change_preview(lambda: save(data))
        except Forbidden as error:
            raise PermissionDenied(error.message) from error
        except ServiceError as error:
            problems = [error.message, *error.problems]
    context = {"unit": unit, "form": form, "preview": preview, "problems": problems, "title": title}
    return render(request, "registry/unit_change.html", context)


@role_required(*ADMINS)
def unit_add(request: HttpRequest) -> HttpResponse:
    form = AddForm(request.POST or None)
    _scope(form, request.user, None)
    actor = actor_of(request)
    return _page(request, None, form, lambda data: _save_add(actor, None, data), _("Add a unit"))


@role_required(*ADMINS)
def unit_change(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    unit = get_object_or_404(Unit.objects.select_related("group__province", "parent"), pk=pk)
    if not can_administer_units(request.user, unit.group.province):
        raise PermissionDenied
    form_class, saver, title = ACTIONS[action]
    form = form_class(request.POST or None, initial=_initial(action, unit))
    if isinstance(form, MergeForm):
        form.unit = unit
    _scope(form, request.user, unit)
    actor = actor_of(request)
    return _page(request, unit, form, lambda data: saver(actor, unit, data), title)
