"""Reads of the working group's organisation, for the policy: whether a period is verified by
assignment, who chairs it, what one verifier may work on in one unit, which pillar an
indicator belongs to.

The rule (see README, "Verification by assignment"): a period none of whose units is assigned
and that has no chair is verified as before, by every verifier; once the admin assigns anyone
or names a chair, a verifier works only on the units (or pillars) assigned, and the chair on
every unit of the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from dti.engine import Node
from dti.web.assessments.verification_models import (
    WHOLE_UNIT,
    VerificationChair,
    VerifierAssignment,
)
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_parsed

BONUS, PENALTY = "bonus", "penalty"


@dataclass(frozen=True)
class Reach:
    """What one verifier may work on in one assessment: the whole unit, or some pillars."""

    whole: bool
    pillars: frozenset[str] = frozenset()

    @property
    def anything(self) -> bool:
        return self.whole or bool(self.pillars)

    def covers(self, pillar: str) -> bool:
        return self.whole or pillar in self.pillars


EVERYTHING = Reach(whole=True)
NOTHING = Reach(whole=False)


def period_assigned(period_id: int) -> bool:
    """Whether the period is verified by assignment (anyone assigned, or a chair named)."""
    return (
        VerifierAssignment.objects.filter(period_id=period_id).exists()
        or VerificationChair.objects.filter(period_id=period_id).exists()
    )


def chair_id_of(period_id: int) -> int | None:
    return (
        VerificationChair.objects.filter(period_id=period_id)
        .values_list("chair_id", flat=True)
        .first()
    )


def verifier_reach(user_id: int, period_id: int, unit_id: int) -> Reach:
    """What the verifier ``user_id`` may verify of ``unit_id`` in ``period_id``."""
    chair_id = chair_id_of(period_id)
    if chair_id == user_id:
        return EVERYTHING
    pillars = set(
        VerifierAssignment.objects.filter(
            period_id=period_id, unit_id=unit_id, verifier_id=user_id
        ).values_list("pillar", flat=True)
    )
    if pillars:
        return Reach(whole=WHOLE_UNIT in pillars, pillars=frozenset(pillars - {WHOLE_UNIT}))
    if chair_id is None and not VerifierAssignment.objects.filter(period_id=period_id).exists():
        return EVERYTHING  # not verified by assignment: as before
    return NOTHING


def assigned_to(user_id: int) -> Q:
    """A filter of assessments: those ``user_id`` may verify (by assignment, as chair, or in a
    period not verified by assignment)."""
    period_assignments = VerifierAssignment.objects.filter(period_id=OuterRef("period_id"))
    period_chair = VerificationChair.objects.filter(period_id=OuterRef("period_id"))
    return (
        Q(Exists(period_assignments.filter(unit_id=OuterRef("unit_id"), verifier_id=user_id)))
        | Q(Exists(period_chair.filter(chair_id=user_id)))
        | (~Q(Exists(period_assignments)) & ~Q(Exists(period_chair)))
    )


@lru_cache(maxsize=64)
def pillar_codes(version: FrameworkVersion) -> dict[str, str]:
    """Leaf indicator code → the code of its pillar (``bonus``/``penalty`` for those items)."""
    framework = framework_parsed(version)
    out: dict[str, str] = {}

    def visit(node: Node, pillar: str) -> None:
        if node.is_leaf:
            out[node.code] = pillar
        for child in node.children:
            visit(child, pillar)

    for top in framework.tree:
        visit(top, top.code)
    for kind in (BONUS, PENALTY):
        for item in framework.adjustment_items(kind):  # type: ignore[arg-type]
            visit(item, kind)
    return out


def pillar_choices(version: FrameworkVersion, language: str = "vi") -> list[tuple[str, str]]:
    """The pillars one may be assigned to, as (code, label)."""
    framework = framework_parsed(version)
    choices = [(p.code, f"{p.code}. {p.name.get(language)}") for p in framework.tree]
    labels = {BONUS: _("Bonus points"), PENALTY: _("Penalty points")}
    for kind in (BONUS, PENALTY):
        if framework.adjustment_items(kind):  # type: ignore[arg-type]
            choices.append((kind, labels[kind]))
    return choices
