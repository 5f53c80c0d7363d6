"""What the unit's form calls each field of a leaf, and the hint under it, from the leaf's rule.

The hint names the fields by the labels the form shows ("the numerator and the denominator",
"Yes"), so what a reporter reads matches what they see; a yes/no rule is a choice, never a
number to type. (The Excel template keeps its own Vietnamese column hints, :mod:`dti.io`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dti.engine import BooleanRule, CountRule, Node, PointsRule, RatioRule, TiersRule


@dataclass(frozen=True)
class FieldLabels:
    value: str
    denominator: str = ""
    hint: str = ""
    choice: bool = False  # a yes/no choice instead of a number


def _n(x: float) -> str:
    whole = float(x).is_integer()
    return number_format(int(x) if whole else x, use_l10n=True, force_grouping=True)


def _pct(x: float) -> str:
    return f"{_n(round(x * 100, 2))} %"


def _ratio_limits(rule: RatioRule) -> str:
    parts = []
    if rule.target < 1:
        parts.append(_("Full points from %(target)s.") % {"target": _pct(rule.target)})
    if rule.floor > 0:
        parts.append(_("0 points below %(floor)s.") % {"floor": _pct(rule.floor)})
    return " ".join(parts)


def labels_for(node: Node) -> FieldLabels:
    rule = node.rule
    if isinstance(rule, BooleanRule):
        return FieldLabels(
            _("Done?"),
            hint=_("Choose “Yes” once it is done (%(max)s points), “Not yet” otherwise.")
            % {"max": _n(node.max)},
            choice=True,
        )
    if isinstance(rule, RatioRule):
        limits = _ratio_limits(rule)
        if rule.input == "percent":
            hint = _("Enter the percentage, from 0 to 100.")
            return FieldLabels(_("Percentage (%)"), hint=f"{hint} {limits}".strip())
        hint = _("Enter the numerator and the denominator (or the ratio itself, from 0 to 1).")
        return FieldLabels(_("Numerator"), _("Denominator"), f"{hint} {limits}".strip())
    if isinstance(rule, TiersRule):
        steps = "; ".join(
            _("from %(min)s: %(points)s points")
            % {
                "min": _pct(t.min) if rule.basis == "ratio" else _n(t.min),
                "points": _n(t.points),
            }
            for t in rule.tiers
        )
        if rule.basis == "ratio":
            return FieldLabels(
                _("Numerator"),
                _("Denominator"),
                _("Points by the level of the ratio numerator / denominator: %(steps)s.")
                % {"steps": steps},
            )
        return FieldLabels(
            _("Value"), hint=_("Points by the level of the value: %(steps)s.") % {"steps": steps}
        )
    if isinstance(rule, CountRule):
        return FieldLabels(
            _("Number"),
            hint=_("Enter the number: %(each)s points each, at most %(max)s.")
            % {"each": _n(rule.per_item), "max": _n(node.max)},
        )
    if isinstance(rule, PointsRule):
        return FieldLabels(
            _("Points"),
            hint=_("Points from 0 to %(max)s, as assessed.") % {"max": _n(node.max)},
        )
    return FieldLabels(_("Value"))
