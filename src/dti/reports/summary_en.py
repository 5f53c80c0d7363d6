"""The summary paragraph in English, for the English pages: the same facts as the Vietnamese
one (:mod:`dti.reports.summary`), in the same order, numbers in English format::

    The 2023 digital transformation assessment and ranking covers 20 units. The group
    Departments has 20 units: 17 rated good and 3 rated fair. Department of Transport leads
    with 976 points; the 3 lowest are Department of Construction with 877 points, ...
"""

from __future__ import annotations

from collections.abc import Sequence

from dti.reports.format import format_percent, format_score
from dti.reports.summary import GroupFacts, UnitFacts, overall_change

__all__ = ["join_en", "summarise_en"]


def join_en(items: Sequence[str]) -> str:
    """``a``; ``a and b``; ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _points(score: float, decimals: int) -> str:
    return f"{format_score(score, decimals, 'en')} points"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _change(change: float | None, previous_period: str | None) -> str:
    if change is None or previous_period is None:
        return ""
    if round(change, 1) > 0:
        return f"up {format_percent(change, language='en')} on {previous_period}"
    if round(change, 1) < 0:
        return f"down {format_percent(-change, language='en')} on {previous_period}"
    return f"unchanged on {previous_period}"


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _group(facts: GroupFacts) -> str:
    bands = join_en([f"{n} rated {name.lower()}" for name, n in facts.bands])
    parts = [f"The group {facts.name} has {_units(facts.n)}: {bands}."]
    names = join_en([name for name, _ in facts.leaders])
    score = _points(facts.leaders[0][1], facts.decimals)
    lead = (
        f"{names} share the lead with {score}"
        if len(facts.leaders) > 1
        else (f"{names} leads with {score}")
    )
    if len(facts.lowest) == 1:
        name, low = facts.lowest[0]
        lead += f"; the lowest is {name} with {_points(low, facts.decimals)}"
    elif facts.lowest:
        last = len(facts.lowest) - 1
        items = [
            f"{name} with {'only ' if i == last else ''}{_points(low, facts.decimals)}"
            for i, (name, low) in enumerate(facts.lowest)
        ]
        lead += f"; the {len(facts.lowest)} lowest are {join_en(items)}"
    parts.append(lead + ".")
    mean = f"The group's average is {_points(facts.mean, facts.decimals)}"
    change = _change(facts.mean_change_percent, facts.previous_period)
    parts.append(f"{mean}, {change}." if change else f"{mean}.")
    return " ".join(parts)


def _unit(facts: UnitFacts) -> str:
    tied = " (tied)" if facts.shared else ""
    text = (
        f"{facts.name} ranks {_ordinal(facts.rank)}{tied} in the group {facts.group_name} "
        f"({_units(facts.group_size)}) with {_points(facts.score, facts.decimals)}, rated "
        f"{facts.band_name.lower()}"
    )
    if facts.previous_score is not None and facts.previous_period:
        text += (
            f"; in {facts.previous_period} it had {_points(facts.previous_score, facts.decimals)}"
        )
    return text + "."


def summarise_en(period: str, facts: list[GroupFacts], unit: UnitFacts | None) -> str:
    total = sum(f.n for f in facts)
    intro = f"The {period} digital transformation assessment and ranking covers {_units(total)}"
    if len(facts) > 1:
        intro += f" in {len(facts)} groups: {join_en([f'{f.name} ({f.n})' for f in facts])}"
    paragraphs = [intro + "."]
    if unit is not None:
        paragraphs.append(_unit(unit))
    paragraphs += [_group(f) for f in facts]
    overall = overall_change(facts)
    if overall is not None:
        paragraphs.append(f"Across all groups, the average is {_change(*overall)}.")
    return "\n\n".join(paragraphs)
