"""Numbers in the results templates (Babel via dti.reports.format), in the page's language:
``760,39`` and ``1.000`` in Vietnamese, ``760.39`` and ``1,000`` in English. Scores keep the
framework's published precision (``756,60``, never ``756,6``), as the admin pages and the
decision appendix print them."""

from __future__ import annotations

from django import template
from django.utils import translation

from dti.reports.format import format_change, format_number, format_percent
from dti.web.problems import number_text

register = template.Library()


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "vi"


@register.filter
def vn(value: float | None, decimals: int = 2) -> str:
    """A score or a count at ``decimals`` fixed decimals: ``760,39``, ``756,60``, ``1.000``."""
    return format_number(value, int(decimals), _language(), fixed=True)


@register.filter
def vn_change(value: float | None, decimals: int = 2) -> str:
    return format_change(value, int(decimals), _language())


@register.filter
def vn_percent(value: float | None, decimals: int = 1) -> str:
    return format_percent(value, int(decimals), _language())


@register.filter
def vn_plain(value: float | None) -> str:
    """A value as entered, without padding decimals: ``160``, ``0,7``, ``1.800``."""
    return "" if value is None else number_text(value)
