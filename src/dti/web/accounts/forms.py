"""The account administration forms; the units offered are those the policy lets the
administrator assign (their province's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dti.web.accounts.actors import Viewer
from dti.web.accounts.models import Role
from dti.web.accounts.policy import assignable_units
from dti.web.registry.models import Unit


def _units_field(viewer: Viewer) -> forms.ModelMultipleChoiceField[Unit]:
    return forms.ModelMultipleChoiceField(
        assignable_units(viewer, Unit.objects.select_related("group").order_by("code")),
        required=False,
        label=_("Units reported for"),
        help_text=_("Reporters only; a person may report for several units."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class AccountForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"] = _units_field(viewer)
        self.order_fields(["full_name", "email", "phone", "role", "units", "reason"])


class AccountCreateForm(AccountForm):
    username = forms.SlugField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Password (optional)"),
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=_(
            "Leave empty to e-mail a link with which the person chooses it. A password typed "
            "here must be changed at the first sign-in."
        ),
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        self.fields["reason"].required = False
        self.order_fields(
            ["username", "full_name", "email", "phone", "role", "units", "password", "reason"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("password") and not data.get("email"):
            self.add_error("email", _("Give an e-mail address to send the link to, or a password."))
        return data


class AccountStatusForm(forms.Form):
    """Deactivate or reactivate: a reason and an explicit yes."""

    reason = forms.CharField(label=_("Reason"), max_length=500)
    confirm = forms.BooleanField(label=_("I confirm"))


class AccountFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False
    )
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
        required=False,
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignable_units(viewer, Unit.objects.order_by("code"))
        field.empty_label = _("All units")


class ReportersUploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook of reporters (.xlsx or .csv)"))
