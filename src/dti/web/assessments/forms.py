from __future__ import annotations

import functools
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from dti.engine import Problem
from dti.engine.messages import say
from dti.io.cells import AMBIGUOUS_NUMBER
from dti.web.assessments.models import Assessment, DocumentKind, Period
from dti.web.assessments.services.documents import DocumentDetails
from dti.web.assessments.workflow import TRANSITIONS
from dti.web.frameworks.models import FrameworkVersion
from dti.web.problems import problem_message
from dti.web.registry.models import Province, Unit, UnitGroup
from dti.web.views_common import parse_number


@functools.lru_cache(maxsize=4096)
def _number(text: str) -> float | None:
    """:func:`parse_number`, remembered: the unit's form reads every row's value and its loaded
    twin, and the same few texts recur (0, 1, 0,5); each reading builds a Polars frame."""
    if _INTEGER.fullmatch(text):
        return float(text)  # no separator: nothing to interpret
    return parse_number(text)


_INTEGER = re.compile(r"-?\d{1,15}")


class NumberField(forms.CharField):
    """A number typed the Vietnamese way (12,5 · 1.234,5) or the English way (12.5); 1.800
    is asked about as in a values table (1800 or 1,8?), in the user's language."""

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return _number(text)
        except ValueError as exc:
            written = (text or "").strip()
            if _AMBIGUOUS.fullmatch(written):
                asked = Problem(say("number_ambiguous", value=written))
                raise forms.ValidationError(problem_message(asked)) from exc
            raise forms.ValidationError(_("%(v)s is not a number.") % {"v": text}) from exc


_AMBIGUOUS = re.compile(AMBIGUOUS_NUMBER)


class EntrySelfForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    value = NumberField(required=False, label=_("Value"))
    denominator = NumberField(required=False, label=_("Denominator"))
    not_applicable = forms.BooleanField(required=False, label=_("Not applicable"))
    explanation = forms.CharField(required=False, widget=forms.Textarea, max_length=5000)


class EntryRowForm(forms.Form):
    """One indicator's row of the unit's form (prefix ``e<entry pk>``). Each data field carries
    the value the page was loaded with (a hidden ``initial-`` twin), so the save knows which
    rows the user changed: only those are sent to the service, with the row's version."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    value = NumberField(required=False, show_hidden_initial=True)
    denominator = NumberField(required=False, show_hidden_initial=True)
    not_applicable = forms.BooleanField(required=False, show_hidden_initial=True)
    explanation = forms.CharField(
        required=False, max_length=5000, strip=True, show_hidden_initial=True
    )

    def initial_inputs(self) -> str:
        """The row's version and the hidden twins holding the loaded values: what a bound form
        was posted with, else the initial data. (Written directly: Django's widget templates
        cost a millisecond each, and a commune's form has hundreds of them.)"""
        version = self["version"].value()
        pairs = [(self["version"].html_name, "" if version is None else version)]
        for name in _ROW_DATA:
            field = self[name]
            if self.is_bound:
                value = self.data.get(field.html_initial_name, "")
            else:
                value = field.initial
                value = "" if value is None else value
            pairs.append((field.html_initial_name, value))
        return format_html_join(
            "", '<input type="hidden" name="{}" value="{}">', ((n, str(v)) for n, v in pairs)
        )


_ROW_DATA = ("value", "denominator", "not_applicable", "explanation")


def row_changed(form: EntryRowForm) -> bool:
    """Whether the user changed the row's data since the page was loaded (the version alone
    never counts: it has no loaded twin)."""
    return any(name in _ROW_DATA for name in form.changed_data)


class EntryVerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("adjust", _("Adjust"))])
    value = NumberField(required=False)
    denominator = NumberField(required=False)
    not_applicable = forms.BooleanField(required=False)
    reason = forms.CharField(required=False, widget=forms.Textarea, max_length=5000)


class EvidenceForm(forms.Form):
    """A new document for the unit's registry: a file or a link, and what it is."""

    file = forms.FileField(required=False, label=_("File"))
    url = forms.URLField(required=False, label=_("or a link"), assume_scheme="https")
    kind = forms.ChoiceField(
        choices=DocumentKind.choices, initial=DocumentKind.OTHER, required=False, label=_("Kind")
    )
    number = forms.CharField(max_length=100, required=False, label=_("Number"))
    issued_on = forms.DateField(
        required=False,
        label=_("Date issued"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    issuer = forms.CharField(max_length=255, required=False, label=_("Issuer"))
    title = forms.CharField(max_length=500, required=False, label=_("Title"))

    def details(self) -> DocumentDetails:
        data = self.cleaned_data
        return DocumentDetails(
            kind=data["kind"] or DocumentKind.OTHER,
            number=data["number"],
            issued_on=data["issued_on"],
            issuer=data["issuer"],
            title=data["title"],
        )


class LinkForm(forms.Form):
    """One of the unit's documents to link to an indicator."""

    document = forms.IntegerField(min_value=1, label=_("Document"))


class RemarkForm(forms.Form):
    text = forms.CharField(
        max_length=2000, label=_("Remark"), widget=forms.Textarea(attrs={"rows": 2})
    )


class WorkbookForm(forms.Form):
    file = forms.FileField(label=_("Filled-in template (.xlsx)"))


class ValuesImportForm(forms.Form):
    file = forms.FileField(label=_("Values table (.xlsx or .csv)"))


class TransitionForm(forms.Form):
    name = forms.ChoiceField(choices=[(n, t.label) for n, t in TRANSITIONS.items()])
    reason = forms.CharField(required=False, max_length=2000)
    # Finishing verification: the verifier's explicit "accept the rest as declared".
    accept_rest = forms.BooleanField(required=False)
    # The submission's completeness check was shown and the user confirmed it.
    confirm = forms.BooleanField(required=False)


class NoteForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Note"), widget=forms.Textarea, max_length=5000)


class DeadlineInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PeriodForm(forms.Form):
    """Open a period: for one province (where the installation holds several), a framework per
    unit group of that province."""

    province = forms.ModelChoiceField(
        queryset=Province.objects.all(), required=False, label=_("Province")
    )
    year = forms.IntegerField(min_value=2000, max_value=2100, label=_("Year"))
    name = forms.CharField(max_length=200, label=_("Name"))
    self_deadline = forms.DateTimeField(label=_("Self-assessment deadline"), widget=DeadlineInput())
    verification_deadline = forms.DateTimeField(
        label=_("Verification deadline"), widget=DeadlineInput()
    )

    # Shown only once the page has listed the units a period would leave out (ask_left_out).
    confirm_left_out = forms.BooleanField(
        required=False,
        label=_("Open the period without the units listed above"),
        widget=forms.HiddenInput(),
    )

    def ask_left_out(self) -> None:
        self.fields["confirm_left_out"].widget = forms.CheckboxInput()

    def __init__(
        self,
        *args: Any,
        province: Province | None = None,
        provinces: QuerySet[Province] | None = None,
        groups: QuerySet[UnitGroup] | None = None,
        **kwargs: Any,
    ) -> None:
        """``provinces`` and ``groups``: those the admin may choose (the policy's
        ``visible_provinces`` / ``visible_groups``: the own province's); all by default."""
        super().__init__(*args, **kwargs)
        groups = (UnitGroup.objects.all() if groups is None else groups).select_related("province")
        self.single_province = not groups.exclude(province=None).exists()
        if self.single_province:
            del self.fields["province"]
        else:
            if provinces is not None:
                self.fields["province"].queryset = provinces  # type: ignore[attr-defined]
            self.fields["province"].initial = province
        self.groups = list(groups)
        for group in self.groups:
            label = _("Framework for %(group)s") % {"group": group.name}
            if group.province is not None:
                label = f"{label} ({group.province.name})"
            field = forms.ModelChoiceField(
                queryset=FrameworkVersion.objects.all(), required=False, label=label
            )
            if province is not None and group.province_id != province.pk:
                # Once a province is chosen only its groups are offered; another province's
                # stay in the form, hidden, so that a posted one is refused (see clean).
                field.widget = forms.HiddenInput()
            self.fields[self.field_name(group)] = field

    @staticmethod
    def field_name(group: UnitGroup) -> str:
        """``fw_<group>``, or ``fw_<province>_<group>``: two provinces may share group codes."""
        if group.province is None:
            return f"fw_{group.code}"
        return f"fw_{group.province.code}_{group.code}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        province = data.get("province")
        for group in self.groups:
            name = self.field_name(group)
            if data.get(name) is not None and group.province != province:
                self.add_error(name, _("This unit group belongs to another province."))
        return data

    def framework_map(self) -> dict[UnitGroup, FrameworkVersion]:
        out = {}
        for group in self.groups:
            version = self.cleaned_data.get(self.field_name(group))
            if version is not None:
                out[group] = version
        return out


class PeriodDeadlinesForm(forms.Form):
    """The period's two deadlines, moved with a reason."""

    self_deadline = forms.DateTimeField(label=_("Self-assessment deadline"), widget=DeadlineInput())
    verification_deadline = forms.DateTimeField(
        label=_("Verification deadline"), widget=DeadlineInput()
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)


class ExtensionForm(forms.Form):
    """An extension of the self-assessment deadline for one unit or a whole group."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))
    group = forms.ModelChoiceField(
        queryset=UnitGroup.objects.none(), required=False, label=_("or a whole unit group")
    )
    deadline = forms.DateTimeField(label=_("New self-assessment deadline"), widget=DeadlineInput())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period = period
        units = Unit.objects.filter(assessments__period=period).order_by("group__order", "code")
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        groups = UnitGroup.objects.filter(periodframework__period=period)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("unit") is None) == (data.get("group") is None):
            raise forms.ValidationError(_("Choose one unit or one unit group."))
        return data

    def assessments(self) -> QuerySet[Assessment]:
        qs = self.period.assessments.all()
        if self.cleaned_data.get("unit") is not None:
            return qs.filter(unit=self.cleaned_data["unit"])
        return qs.filter(unit__group=self.cleaned_data["group"])


class FrameworkCorrectionForm(forms.Form):
    """A group of the period and the corrected version of its framework: picked among the
    stored versions of the same framework, or uploaded (YAML or the appendix workbook)."""

    group = forms.ModelChoiceField(queryset=UnitGroup.objects.none(), label=_("Group"))
    version = forms.ModelChoiceField(
        queryset=FrameworkVersion.objects.none(),
        required=False,
        label=_("Corrected version"),
    )
    file = forms.FileField(
        required=False, label=_("or upload the corrected framework (YAML or .xlsx)")
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason for the correction (asked before the recompute)"),
    )

    def __init__(self, *args: Any, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assigned = period.frameworks.select_related("group", "framework")
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = UnitGroup.objects.filter(pk__in=[pf.group_id for pf in assigned])
        version_field = self.fields["version"]
        assert isinstance(version_field, forms.ModelChoiceField)
        # (any stored version: the correction checks it has the group's indicators)
        version_field.queryset = FrameworkVersion.objects.order_by("code", "-uploaded_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("version") and not data.get("file"):
            raise forms.ValidationError(_("Pick the corrected version or upload it."))
        return data
