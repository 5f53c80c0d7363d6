from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def plain_number(value: float | None) -> str:
    """A number for an <input>: no grouping, decimal comma in Vietnamese style is not needed."""
    if value is None:
        return ""
    return f"{value:g}"


@register.filter
def leaf_filled(line: Any) -> bool:
    """Whether a sheet line's leaf counts as filled (the form's "not yet filled" filter)."""
    from dti.web.assessments.completeness import leaf_filled as filled

    return filled(line)
