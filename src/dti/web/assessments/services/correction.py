"""A group moved to a corrected version of its framework: what would change, before it does.

The admin corrects a decision's framework (a wrong maximum, a threshold, a band) after units
have reported. Before the recompute is confirmed, the preview scores the group on both
versions — the same values, the same engine call the recompute makes — and lists every unit
whose counted score, rank or band would move."""

from __future__ import annotations

import dataclasses

import polars as pl
from django.utils.translation import gettext as _

from dti.engine import score
from dti.engine.framework import Framework
from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
from dti.web.assessments.calculations import summaries
from dti.web.assessments.models import Assessment, Period, PeriodFramework
from dti.web.assessments.period_values import period_batches
from dti.web.assessments.workflow import FROZEN, VERIFIED_SIDE
from dti.web.errors import InvalidInput, InvalidState, NotFound
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_compiled, framework_parsed, leaves_for_group
from dti.web.registry.models import UnitGroup


@dataclasses.dataclass(frozen=True)
class CorrectionRow:
    """One unit of the group on the current and on the corrected version (the counted side:
    the verifier's where verification has ended, the unit's own otherwise)."""

    assessment: Assessment
    old_score: float
    new_score: float
    old_rank: int
    new_rank: int
    old_band: str
    new_band: str

    @property
    def moved(self) -> bool:
        return (
            self.old_score != self.new_score
            or self.old_rank != self.new_rank
            or self.old_band != self.new_band
        )


@dataclasses.dataclass(frozen=True)
class CorrectionPreview:
    group: UnitGroup
    current: FrameworkVersion
    corrected: FrameworkVersion
    rows: list[CorrectionRow]

    @property
    def moved(self) -> list[CorrectionRow]:
        return [r for r in self.rows if r.moved]

    @property
    def bands_changed(self) -> int:
        return sum(r.old_band != r.new_band for r in self.rows)

    @property
    def ranks_changed(self) -> int:
        return sum(r.old_rank != r.new_rank for r in self.rows)


def correction_refusal(
    current: Framework, corrected: Framework, group: UnitGroup, members: list[Assessment]
) -> InvalidInput | InvalidState | None:
    """Why ``group`` cannot move from ``current`` to ``corrected``: the leaves differ (that is a
    new framework, for a new period) or some result is approved or published (reopen first)."""
    old = [n.code for n in leaves_for_group(current, group.code)]
    new = [n.code for n in leaves_for_group(corrected, group.code)]
    if old != new:
        missing, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
        return InvalidInput(
            _("The corrected framework must have the same indicators."),
            problems=[
                *(_("Indicator %(code)s is missing.") % {"code": c} for c in missing),
                *(_("Indicator %(code)s is new.") % {"code": c} for c in added),
            ]
            or [_("The indicators are in another order.")],
        )
    if any(a.status in FROZEN for a in members):
        return InvalidState(
            _("Results of this group are approved or published: reopen them first.")
        )
    return None


def assigned_framework(period: Period, group: UnitGroup) -> PeriodFramework:
    try:
        return PeriodFramework.objects.select_related("framework").get(period=period, group=group)
    except PeriodFramework.DoesNotExist as exc:
        raise NotFound(
            _("Group %(group)s has no framework in this period.") % {"group": group.code}
        ) from exc


def _counted(
    versions: dict[str, FrameworkVersion], period: Period, members: list[Assessment]
) -> dict[str, dict[str, tuple[float, str]]]:
    """(score, band) of each member's counted side, per version, from one engine call each."""
    out: dict[str, dict[str, tuple[float, str]]] = {}
    for batch in period_batches(members):
        for label, version in versions.items():
            compiled = framework_compiled(version)
            # (the counted side per unit: the verifier's values where verification has ended)
            values = batch.values(period.code, verified_for=VERIFIED_SIDE)
            result = summaries(score(compiled, values, batch.units))
            for code, summary in result.items():
                out.setdefault(label, {})[code] = (summary.score, summary.band)
    return out


def _ranks(scores: dict[str, float]) -> dict[str, int]:
    """Ranks as published: ties share the best rank (1, 2, 2, 4), as the engine ranks."""
    if not scores:
        return {}
    frame = pl.DataFrame({"unit": list(scores), "score": list(scores.values())})
    ranked = frame.with_columns(
        rank=pl.col("score").rank(method="min", descending=True).cast(pl.Int64)
    )
    return dict(zip(ranked["unit"], ranked["rank"], strict=True))


def framework_correction_preview(
    *, actor: Actor | None, period: Period, group: UnitGroup, version: FrameworkVersion
) -> CorrectionPreview:
    """What moving ``group`` of ``period`` to ``version`` would change, written nowhere; refused
    for the reasons the correction itself is (:func:`correction_refusal`)."""
    require_role(actor, Role.ADMIN)
    assigned = assigned_framework(period, group)
    members = list(
        period.assessments.filter(unit__group=group)
        .select_related("unit__group", "framework")
        .order_by("unit__name")
    )
    refusal = correction_refusal(
        framework_parsed(assigned.framework), framework_parsed(version), group, members
    )
    if refusal is not None:
        raise refusal
    counted = _counted({"old": assigned.framework, "new": version}, period, members)
    old, new = counted.get("old", {}), counted.get("new", {})
    old_ranks = _ranks({code: s for code, (s, _band) in old.items()})
    new_ranks = _ranks({code: s for code, (s, _band) in new.items()})
    rows = [
        CorrectionRow(
            assessment=a,
            old_score=old[a.unit.code][0],
            new_score=new[a.unit.code][0],
            old_rank=old_ranks[a.unit.code],
            new_rank=new_ranks[a.unit.code],
            old_band=old[a.unit.code][1],
            new_band=new[a.unit.code][1],
        )
        for a in members
        if a.unit.code in old and a.unit.code in new
    ]
    rows.sort(key=lambda r: (r.new_rank, r.assessment.unit.name))
    return CorrectionPreview(group, assigned.framework, version, rows)
