"""How much of each unit group a set of results covers: the whole group, or part of it.

A ranking is a statement about a whole group. Public results therefore say, group by group,
how many of the period's units they include and which are still missing; a group shown in
part is *provisional* on every page, chart, export and API answer. Read at the time the
results are read (never stored), so no route that publishes can leave a part unmarked.
"""

from __future__ import annotations

from dataclasses import dataclass

from dti.web.assessments.models import Period, Status
from dti.web.assessments.workflow import PUBLISHED


@dataclass(frozen=True)
class GroupCoverage:
    code: str
    name: str
    total: int  # units the period assesses in the group
    shown: int  # of them, those in the shown states (published ones, for the public)
    missing: tuple[str, ...]  # "code — name" of the others, in code order

    @property
    def provisional(self) -> bool:
        """Shown in part: some units are in, others still missing."""
        return self.shown > 0 and bool(self.missing)


def period_coverage(
    period: Period, statuses: frozenset[Status] = PUBLISHED
) -> dict[str, GroupCoverage]:
    """Group code → its coverage by the assessments in ``statuses`` (one query)."""
    rows = (
        period.assessments.order_by("unit__group__order", "unit__group__code", "unit__code")
        .values_list("unit__group__code", "unit__group__name", "unit__code", "unit__name", "status")
        .iterator()
    )
    totals: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    for group, group_name, code, name, status in rows:
        names[group] = group_name
        counts = totals.setdefault(group, [0, 0])
        counts[0] += 1
        if status in statuses:
            counts[1] += 1
        else:
            missing.setdefault(group, []).append(f"{code} — {name}")
    return {
        group: GroupCoverage(group, names[group], total, shown, tuple(missing.get(group, ())))
        for group, (total, shown) in totals.items()
    }


def provisional_groups(coverage: dict[str, GroupCoverage]) -> list[GroupCoverage]:
    return [c for c in coverage.values() if c.provisional]
