"""How complete a unit's self-assessment is: per pillar, what is filled, what is not, which
evidence the framework asks for is missing, and which pillars stand at zero.

The same figures serve the pillar navigation of the form and the check shown before a
submission (and the submission service, which asks for confirmation while gaps remain), so
the page and the service can never disagree. Computed from the sheet's lines (one read); no
database access here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dti.web.assessments.selectors import SheetLine

# The adjustment blocks: optional by nature (a unit without an initiative leaves the bonus
# empty), so they never count as gaps.
ADJUSTMENTS = frozenset({"bonus", "penalty"})


def leaf_filled(line: SheetLine) -> bool:
    """A leaf is filled once its value is given (both parts of a ratio) or it is marked not
    applicable."""
    e = line.entry
    if e is None:
        return False
    if not e.self_applicable:
        return True
    if e.self_value is None:
        return False
    return not line.needs_denominator or e.self_denominator is not None


def evidence_missing(line: SheetLine) -> bool:
    """The framework asks for evidence, the leaf claims something (a value other than 0) and
    nothing is attached."""
    e = line.entry
    if not line.evidence_asked or e is None or not e.self_applicable:
        return False
    if e.self_value is None or e.self_value == 0:
        return False
    return not line.evidence


@dataclass(frozen=True)
class PillarProgress:
    code: str
    name: str
    leaves: int
    filled: int
    evidence_missing: int
    points: float | None
    max: float
    optional: bool

    @property
    def unfilled(self) -> int:
        return self.leaves - self.filled

    @property
    def complete(self) -> bool:
        return self.unfilled == 0 and self.evidence_missing == 0

    @property
    def at_zero(self) -> bool:
        return not self.optional and self.leaves > 0 and not self.points


@dataclass(frozen=True)
class Gap:
    code: str
    name: str
    pillar: str
    detail: str = ""


@dataclass(frozen=True)
class Completeness:
    pillars: list[PillarProgress]
    unfilled: list[Gap] = field(default_factory=list)
    evidence_missing: list[Gap] = field(default_factory=list)

    @property
    def pillars_at_zero(self) -> list[PillarProgress]:
        return [p for p in self.pillars if p.at_zero]

    @property
    def has_gaps(self) -> bool:
        return bool(self.unfilled or self.evidence_missing or self.pillars_at_zero)


def completeness(lines: Sequence[SheetLine]) -> Completeness:
    """The progress of every pillar and the gaps of the whole self-assessment."""
    heads = [line for line in lines if not line.is_leaf and line.depth == 0]
    unfilled: list[Gap] = []
    missing: list[Gap] = []
    counts: dict[str, list[int]] = {h.code: [0, 0, 0] for h in heads}
    points: dict[str, float] = {}
    # A pillar's maximum for this unit: its leaves that apply to the unit's group.
    maxima: dict[str, float] = {}
    for line in lines:
        if not line.is_leaf:
            continue
        c = counts.setdefault(line.pillar, [0, 0, 0])
        optional = line.pillar in ADJUSTMENTS
        filled = leaf_filled(line)
        c[0] += 1
        c[1] += filled
        maxima[line.pillar] = maxima.get(line.pillar, 0.0) + line.max
        if line.self_points:
            points[line.pillar] = points.get(line.pillar, 0.0) + line.self_points
        if not filled and not optional:
            unfilled.append(Gap(line.code, line.name, line.pillar))
        if evidence_missing(line):
            c[2] += 1
            missing.append(Gap(line.code, line.name, line.pillar, line.evidence_asked))
    pillars = [
        PillarProgress(
            code=h.code,
            name=h.name,
            leaves=counts[h.code][0],
            filled=counts[h.code][1],
            evidence_missing=counts[h.code][2],
            points=points.get(h.code, 0.0),
            max=h.max if h.code in ADJUSTMENTS else maxima.get(h.code, 0.0),
            optional=h.code in ADJUSTMENTS,
        )
        for h in heads
    ]
    return Completeness(pillars=pillars, unfilled=unfilled, evidence_missing=missing)
