from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dti.engine import Perturbations


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


class RobustnessForm(forms.Form):
    """What the robustness report perturbs (``dti.engine.Perturbations``), read from the
    page's query string; the defaults are the handbook's usual choices for a first look."""

    value_decimals = forms.IntegerField(
        label=_("Values within their published precision: decimals"),
        min_value=0,
        max_value=6,
        required=False,
        initial=2,
        help_text=_("Each value may lie half a unit of its last decimal either side; empty: off."),
    )
    na_as_zero = forms.BooleanField(
        label=_("Also count not applicable indicators as zero"), required=False, initial=True
    )
    weight_range = forms.FloatField(
        label=_("Weights of the pillars: ± %"),
        min_value=0,
        max_value=90,
        required=False,
        initial=25,
        localize=True,
        help_text=_("Each draw multiplies every pillar's weight by a factor within this range."),
    )
    draws = forms.IntegerField(
        label=_("Weight draws"), min_value=0, max_value=5000, required=False, initial=1000
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**32 - 1,
        required=False,
        initial=1,
        help_text=_("The same seed gives the same report."),
    )
    tie_margin = forms.FloatField(
        label=_("Near-tie margin: % of the scale"),
        min_value=0,
        max_value=10,
        required=False,
        initial=0.1,
        localize=True,
    )
    band_margin = forms.FloatField(
        label=_("Band-edge margin: percentage points"),
        min_value=0,
        max_value=10,
        required=False,
        initial=0.1,
        localize=True,
    )

    def perturbations(self) -> Perturbations:
        """The settings as the engine takes them (the form's initial values if unbound)."""
        data = {k: f.initial for k, f in self.fields.items()}
        if self.is_bound:
            # An empty number takes its default; empty decimals and an unticked box mean off.
            given = {k: v for k, v in self.cleaned_data.items() if v is not None}
            data |= {"value_decimals": None, **given}
        return Perturbations(
            value_decimals=data["value_decimals"],
            na_as_zero=bool(data["na_as_zero"]),
            weight_range=float(data["weight_range"]) / 100.0,
            draws=int(data["draws"]),
            seed=int(data["seed"]),
            tie_margin=float(data["tie_margin"]),
            band_margin=float(data["band_margin"]),
        )
