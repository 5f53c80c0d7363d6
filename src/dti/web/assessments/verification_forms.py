"""Forms of the working group's pages: assignments, the chair, questions, answers, disputes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dti.web.accounts.models import Role
from dti.web.assessments.forms import NumberField
from dti.web.assessments.models import Assessment, ClarificationReason, Period
from dti.web.registry.models import Unit

# A reply deadline typed as a date means the end of that day, local time.
_END_OF_DAY = dt.time(23, 59, 59)


def verifiers() -> Any:
    return get_user_model().objects.filter(membership__role=Role.VERIFIER).order_by("username")


class VerifierChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
        return f"{obj.get_username()} — {full}" if full else str(obj.get_username())


class AssignForm(forms.Form):
    verifier = VerifierChoice(queryset=verifiers(), label=_("Verifier"))
    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(), label=_("Units"), widget=forms.CheckboxSelectMultiple
    )
    pillar = forms.ChoiceField(required=False, label=_("Pillar"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, period: Period, pillars: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        field = self.fields["verifier"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = verifiers()
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = Unit.objects.filter(assessments__period=period).order_by(
            "group__order", "name"
        )
        pillar = self.fields["pillar"]
        assert isinstance(pillar, forms.ChoiceField)
        pillar.choices = [("", _("The whole unit")), *pillars]


class ChairForm(forms.Form):
    chair = VerifierChoice(queryset=verifiers(), required=False, label=_("Chair"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["chair"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = verifiers()


class AskForm(forms.Form):
    reason = forms.ChoiceField(choices=ClarificationReason.choices, label=_("Reason"))
    question = forms.CharField(widget=forms.Textarea, max_length=5000, label=_("Question"))
    reply_by = forms.DateField(
        label=_("Reply by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def reply_deadline(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["reply_by"]
        return timezone.make_aware(dt.datetime.combine(day, _END_OF_DAY))


def default_reply_by(assessment: Assessment, now: dt.datetime) -> dt.date:
    """Five days to answer, never past the verification deadline."""
    local = timezone.localtime(now).date() + dt.timedelta(days=5)
    deadline = timezone.localtime(assessment.period.verification_deadline).date()
    return min(local, deadline)


class AnswerForm(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.Textarea, max_length=5000, label=_("Explanation")
    )
    value = NumberField(required=False, label=_("New value"))
    denominator = NumberField(required=False, label=_("Denominator"))
    file = forms.FileField(required=False, label=_("Evidence file"))
    url = forms.URLField(required=False, label=_("or a link"), assume_scheme="https")


class DisputeForm(forms.Form):
    reasons = forms.CharField(widget=forms.Textarea, max_length=5000, label=_("Reasons"))
    value = NumberField(required=False, label=_("The value the unit holds right"))
    denominator = NumberField(required=False, label=_("Denominator"))
    not_applicable = forms.BooleanField(required=False, label=_("Not applicable"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("grant", _("Grant the dispute")), ("reject", _("Keep the adjustment"))],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    reason = forms.CharField(widget=forms.Textarea, max_length=5000, label=_("Reason"))
