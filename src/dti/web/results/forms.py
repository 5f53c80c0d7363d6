from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    issuer = forms.CharField(label=_("Issuer"), max_length=255, required=False)
    number = forms.CharField(label=_("Decision number"), max_length=60, required=False)
    date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    signer = forms.CharField(
        label=_("Signer"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "As printed under the appendix, one line each: KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / name."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
