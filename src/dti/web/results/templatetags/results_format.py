"""Vietnamese numbers in the results templates (Babel via dti.reports.format)."""

from __future__ import annotations

from django import template

from dti.reports.format import format_change, format_percent, format_score

register = template.Library()


@register.filter
def vn(value: float | None, decimals: int = 2) -> str:
    """``760,39``, ``1.000``."""
    return format_score(value, int(decimals))


@register.filter
def vn_change(value: float | None, decimals: int = 2) -> str:
    return format_change(value, int(decimals))


@register.filter
def vn_percent(value: float | None, decimals: int = 1) -> str:
    return format_percent(value, int(decimals))
