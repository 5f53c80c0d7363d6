"""The admin's forms: a connector (its source and its mapping) and the request of a pull."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dti.web.assessments.models import Period
from dti.web.connectors.models import Connector, ConnectorKind, Pagination
from dti.web.connectors.services import ConnectorInput


def pairs_text(mapping: dict[str, str]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in mapping.items())


class PairsField(forms.CharField):
    """Lines of ``left = right`` (a mapping the admin reads and types), one pair a line."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        pairs: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            left, sep, right = line.partition("=")
            if not sep or not left.strip() or not right.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write “source = unit code”, e.g. “000.00.12.H40 = so-xd”.")
                    % {"n": number}
                )
            if left.strip() in pairs:
                raise forms.ValidationError(
                    _("Line %(n)s: “%(key)s” is given twice.") % {"n": number, "key": left.strip()}
                )
            pairs[left.strip()] = right.strip()
        return pairs


class ConnectorForm(forms.Form):
    code = forms.SlugField(label=_("Code (as the framework names it)"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of source"), choices=ConnectorKind.choices)
    url = forms.CharField(label=_("Address (URL)"), max_length=500, required=False)
    token = forms.CharField(
        label=_("Access token (empty: keep the stored one)"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    records = forms.CharField(
        label=_("Where the records are in the JSON answer (e.g. data.items)"),
        max_length=120,
        required=False,
    )
    pagination = forms.ChoiceField(label=_("Pages"), choices=Pagination.choices)
    page_param = forms.CharField(label=_("Page parameter"), max_length=60, initial="page")
    pages_key = forms.CharField(label=_("Number of pages (key)"), max_length=120, required=False)
    next_key = forms.CharField(
        label=_("Next page's address (key)"), max_length=120, required=False, initial="next"
    )
    total_key = forms.CharField(label=_("Number of records (key)"), max_length=120, required=False)
    folder = forms.CharField(label=_("Folder (file drop)"), max_length=500, required=False)
    unit_key = forms.CharField(label=_("Unit id field"), max_length=120, initial="unit")
    unit_map = PairsField(
        label=_("Units: source id = unit code (empty: the ids are the codes)"), required=False
    )
    field_map = PairsField(
        label=_("Fields: framework field = source field (empty: same names)"), required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def of(cls, connector: Connector) -> ConnectorForm:
        return cls(
            initial={
                **{
                    f: getattr(connector, f)
                    for f in (
                        "code",
                        "name",
                        "kind",
                        "url",
                        "records",
                        "pagination",
                        "page_param",
                        "pages_key",
                        "next_key",
                        "total_key",
                        "folder",
                        "unit_key",
                        "active",
                    )
                },
                "unit_map": pairs_text(connector.unit_map or {}),
                "field_map": pairs_text(connector.field_map or {}),
            }
        )

    def data_in(self) -> ConnectorInput:
        return ConnectorInput(**self.cleaned_data)


class PullForm(forms.Form):
    period = forms.ModelChoiceField(label=_("Period"), queryset=Period.objects.none())
    file = forms.FileField(label=_("Table (.csv or .xlsx; file drop only)"), required=False)
    confirm = forms.BooleanField(
        label=_("Write the measured values into the units' drafts (all or nothing)"),
        required=True,
    )

    def __init__(self, *args: Any, periods: QuerySet[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = periods
