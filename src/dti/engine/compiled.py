"""A framework flattened into NumPy arrays indexed by leaf, ready for vectorised scoring.

The scorer never walks the tree: every leaf's rule type, maximum, parameters, pillar and group
applicability sit in parallel arrays, so scoring millions of values is a handful of array
operations whatever the number of indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from dti.engine.framework import (
    BooleanRule,
    CountRule,
    Framework,
    Level,
    Node,
    PointsRule,
    RatioRule,
    ReportAs,
    TiersRule,
)

__all__ = ["CompiledFramework", "DirectNode", "LeafKind", "RuleType", "compile_framework"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# Tolerance for comparing values with thresholds: absorbs binary noise (0.9 entered as
# 0.8999999…) so that a value exactly at a threshold reaches it.
EPS = 1e-9


class RuleType(IntEnum):
    BOOLEAN = 0
    RATIO = 1
    TIERS = 2
    COUNT = 3
    POINTS = 4


class LeafKind(IntEnum):
    TREE = 0
    BONUS = 1
    PENALTY = 2


_RULE_TYPE = {
    BooleanRule: RuleType.BOOLEAN,
    RatioRule: RuleType.RATIO,
    TiersRule: RuleType.TIERS,
    CountRule: RuleType.COUNT,
    PointsRule: RuleType.POINTS,
}


@dataclass(frozen=True, eq=False)
class DirectNode:
    """A node whose result the data may give directly (``direct_input``): its leaves."""

    code: str
    # "index" (a value in [0, 1]), "points" (out of the node's applicable maximum) or, for a
    # framework's root in a rescaled framework, "scale" (the published score on the scale)
    input: str
    leaves: I64  # leaf positions in the compiled arrays


@dataclass(frozen=True, eq=False)
class CompiledFramework:
    framework: Framework
    codes: tuple[str, ...]
    index: dict[str, int]
    rule: npt.NDArray[np.int8]
    max: F64
    kind: npt.NDArray[np.int8]
    pillar: I64  # -1 for bonus/penalty items
    pillar_codes: tuple[str, ...]
    ratio_target: F64
    ratio_floor: F64
    ratio_percent: B
    per_item: F64
    tier_on_ratio: B
    tier_min: F64  # [leaf, k], padded with +inf
    tier_points: F64  # [leaf, k + 1]; column 0 is "below every tier" = 0
    na_allowed: B
    group_codes: tuple[str, ...]
    applies: B  # [group, leaf]
    group_max: F64  # [group] applicable tree maximum
    group_pillar_max: F64  # [group, pillar]
    group_leaf_count: I64  # [group] applicable tree leaves with max > 0
    bonus_cap: float
    penalty_cap: float
    band_codes: tuple[str, ...]
    band_min: F64
    band_strict: B
    level_codes: tuple[str, ...]
    level_min: F64
    level_strict: B
    direct: dict[str, DirectNode]

    @property
    def n_leaves(self) -> int:
        return len(self.codes)


def _levels(levels: list[Level]) -> tuple[tuple[str, ...], F64, B]:
    return (
        tuple(lv.code for lv in levels),
        np.array([lv.min_percent for lv in levels], dtype=np.float64),
        np.array([lv.strict for lv in levels], dtype=np.bool_),
    )


# A leaf as collected from the tree: its node, kind, pillar position (-1 for bonus and
# penalty items) and the groups it applies to.
_Leaf = tuple[Node, LeafKind, int, frozenset[str]]


def _collect_leaves(fw: Framework) -> list[_Leaf]:
    """The tree's leaves in framework order, then the bonus and the penalty items."""
    leaves: list[_Leaf] = []
    all_groups = frozenset(fw.group_codes())

    def collect(node: Node, pillar: int, groups: frozenset[str]) -> None:
        groups = frozenset(node.applies_to) if node.applies_to is not None else groups
        if node.is_leaf:
            leaves.append((node, LeafKind.TREE, pillar, groups))
        for child in node.children:
            collect(child, pillar, groups)

    for p, pillar_node in enumerate(fw.tree):
        collect(pillar_node, p, all_groups)
    for leaf_kind, items in (
        (LeafKind.BONUS, fw.adjustment_items("bonus")),
        (LeafKind.PENALTY, fw.adjustment_items("penalty")),
    ):
        for item in items:
            groups = frozenset(item.applies_to) if item.applies_to is not None else all_groups
            leaves.append((item, leaf_kind, -1, groups))
    return leaves


@dataclass(frozen=True, slots=True, eq=False)
class _RuleArrays:
    """Each leaf's rule type and parameters (see :class:`CompiledFramework`)."""

    rule: npt.NDArray[np.int8]
    ratio_target: F64
    ratio_floor: F64
    ratio_percent: B
    per_item: F64
    tier_on_ratio: B
    tier_min: F64
    tier_points: F64


def _rule_arrays(leaves: list[_Leaf]) -> _RuleArrays:
    n = len(leaves)
    k = max(
        (len(node.rule.tiers) for node, *_ in leaves if isinstance(node.rule, TiersRule)),
        default=1,
    )
    tier_min = np.full((n, k), np.inf)
    tier_points = np.zeros((n, k + 1))
    ratio_target = np.ones(n)
    ratio_floor = np.zeros(n)
    ratio_percent = np.zeros(n, dtype=np.bool_)
    per_item = np.zeros(n)
    tier_on_ratio = np.zeros(n, dtype=np.bool_)
    rule = np.zeros(n, dtype=np.int8)
    for i, (node, _kind, _p, _g) in enumerate(leaves):
        r = node.rule
        assert r is not None  # guaranteed by validation
        rule[i] = _RULE_TYPE[type(r)]
        if isinstance(r, RatioRule):
            ratio_target[i], ratio_floor[i] = r.target, r.floor
            ratio_percent[i] = r.input == "percent"
        elif isinstance(r, TiersRule):
            tier_on_ratio[i] = r.basis == "ratio"
            tier_min[i, : len(r.tiers)] = [t.min for t in r.tiers]
            tier_points[i, 1 : len(r.tiers) + 1] = [t.points for t in r.tiers]
            tier_points[i, len(r.tiers) + 1 :] = r.tiers[-1].points
        elif isinstance(r, CountRule):
            per_item[i] = r.per_item
    return _RuleArrays(
        rule=rule,
        ratio_target=ratio_target,
        ratio_floor=ratio_floor,
        ratio_percent=ratio_percent,
        per_item=per_item,
        tier_on_ratio=tier_on_ratio,
        tier_min=tier_min,
        tier_points=tier_points,
    )


def _direct_nodes(fw: Framework, position: dict[str, int]) -> dict[str, DirectNode]:
    """The nodes given directly; the framework's own code names its root (the whole tree),
    given as the framework reports its result."""
    root_input = {ReportAs.INDEX: "index", ReportAs.RESCALED: "scale"}.get(
        fw.scale.report, "points"
    )
    root = DirectNode(
        code=fw.code,
        input=root_input,
        leaves=np.array(
            [position[leaf.code] for leaf, _ in fw.walk() if leaf.is_leaf], dtype=np.int64
        ),
    )
    return {fw.code: root} | {
        node.code: DirectNode(
            code=node.code,
            input=node.direct_input,
            leaves=np.array(
                [position[leaf.code] for leaf, _ in node.walk() if leaf.is_leaf], dtype=np.int64
            ),
        )
        for node, _ in fw.walk()
        if node.direct_input is not None
    }


def compile_framework(fw: Framework) -> CompiledFramework:
    leaves = _collect_leaves(fw)
    rules = _rule_arrays(leaves)
    group_codes = tuple(fw.group_codes())
    applies = np.array(
        [[g in groups for (_n, _k, _p, groups) in leaves] for g in group_codes], dtype=np.bool_
    )
    maxima = np.array([node.max for node, *_ in leaves], dtype=np.float64)
    kind = np.array([k_ for _n, k_, _p, _g in leaves], dtype=np.int8)
    pillar = np.array([p for _n, _k, p, _g in leaves], dtype=np.int64)
    tree = kind == LeafKind.TREE
    group_pillar_max = np.zeros((len(group_codes), len(fw.tree)))
    for g in range(len(group_codes)):
        mask = applies[g] & tree
        np.add.at(group_pillar_max[g], pillar[mask], maxima[mask])
    band_codes, band_min, band_strict = _levels(fw.bands)
    level_codes, level_min, level_strict = _levels(fw.completion_levels)
    codes = tuple(node.code for node, *_ in leaves)
    position = {c: i for i, c in enumerate(codes)}
    return CompiledFramework(
        framework=fw,
        codes=codes,
        index=position,
        rule=rules.rule,
        max=maxima,
        kind=kind,
        pillar=pillar,
        pillar_codes=tuple(p.code for p in fw.tree),
        ratio_target=rules.ratio_target,
        ratio_floor=rules.ratio_floor,
        ratio_percent=rules.ratio_percent,
        per_item=rules.per_item,
        tier_on_ratio=rules.tier_on_ratio,
        tier_min=rules.tier_min,
        tier_points=rules.tier_points,
        na_allowed=np.array([node.na_allowed for node, *_ in leaves], dtype=np.bool_),
        group_codes=group_codes,
        applies=applies,
        group_max=group_pillar_max.sum(axis=1),
        group_pillar_max=group_pillar_max,
        group_leaf_count=(applies & tree & (maxima > 0)).sum(axis=1).astype(np.int64),
        bonus_cap=fw.bonus.cap if fw.bonus else 0.0,
        penalty_cap=fw.penalty.cap if fw.penalty else 0.0,
        band_codes=band_codes,
        band_min=band_min,
        band_strict=band_strict,
        level_codes=level_codes,
        level_min=level_min,
        level_strict=level_strict,
        direct=_direct_nodes(fw, position),
    )


# Percentages are computed in binary floating point (0.57 × 100 = 56.99999999999999), so a
# score that sits exactly on a threshold is compared with this tolerance, in percentage points.
LEVEL_TOLERANCE = 1e-9


def classify(percent: F64, minimum: F64, strict: B, *, base: I64 | None = None) -> I64:
    """Index of the first (highest) level each percent reaches; the last level catches all.

    A non-strict level is reached at ``minimum`` ("at least"), a strict one only above it;
    "at" means within :data:`LEVEL_TOLERANCE`. Validated levels are nested (reaching a level
    means reaching every lower one), so the index is the number of levels *not* reached.
    With ``base`` the index is added to it in place (saving a pass when building keys).
    """
    out = base if base is not None else np.zeros(percent.shape, dtype=np.int64)
    out += len(minimum) - 1
    for i in range(len(minimum) - 1):  # a loop over levels (a handful), not over rows
        if strict[i]:
            reached = percent > minimum[i] + LEVEL_TOLERANCE
        else:
            reached = percent >= minimum[i] - LEVEL_TOLERANCE
        out -= reached
    return out
