"""The semantic checks of a framework that pydantic cannot express: unique codes, known groups,
children adding up to their parent, rules and levels that make sense."""

from __future__ import annotations

from itertools import pairwise
from typing import Protocol

from dti.engine.errors import Problem
from dti.engine.framework.models import (
    Framework,
    Level,
    Node,
    QualityCheck,
    QualityRule,
    RatioRule,
    TiersRule,
)
from dti.engine.messages import Message, say

__all__ = ["semantic_problems"]

# Maxima are decimals written by people: sums that differ by less than this are equal.
_TOLERANCE = 1e-6


class _Add(Protocol):
    """Records one problem about a node's field (or the whole framework's)."""

    def __call__(self, message: Message, node: str | None = None, field: str | None = None) -> None:
        """Record the problem."""


def semantic_problems(fw: Framework, file: str | None) -> list[Problem]:
    """Every semantic problem of a structurally valid framework, in the order of the file."""
    problems: list[Problem] = []

    def add(message: Message, node: str | None = None, field: str | None = None) -> None:
        problems.append(Problem(message, file=file, node=node, field=field))

    groups = fw.group_codes()
    for code in _duplicates(groups):
        add(say("duplicate_group_code", code=code), field="groups")
    _check_unique_codes(fw, add)
    for pillar in fw.tree:
        _check_node(pillar, None, groups, add)
    for block, label in ((fw.bonus, "bonus"), (fw.penalty, "penalty")):
        if block is None:
            continue
        for item in block.items:
            _check_node(item, None, groups, add, adjustment=True)
            if item.max > block.cap + _TOLERANCE:
                add(say(f"{label}_exceeds_cap", cap=block.cap), item.code, "max")

    pillar_total = sum(p.max for p in fw.tree)
    if abs(pillar_total - fw.scale.total) > _TOLERANCE:
        add(
            say("pillars_total_mismatch", total=pillar_total, scale_total=fw.scale.total),
            field="scale.total",
        )
    for name, levels in (("bands", fw.bands), ("completion_levels", fw.completion_levels)):
        _check_levels(name, levels, add)
    leaves = {n.code: n for n in fw.leaves()}
    leaves.update(
        {n.code: n for n in fw.adjustment_items("bonus") + fw.adjustment_items("penalty")}
    )
    for number, rule in enumerate(fw.quality, start=1):
        _check_quality(rule, f"quality[{number}]", leaves, add)
    return problems


# The parameters each check needs; any other is refused so that a typo is not silently ignored.
_QUALITY_NEEDS: dict[QualityCheck, frozenset[str]] = {
    QualityCheck.NOT_ABOVE: frozenset({"other"}),
    QualityCheck.NUMERATOR_WITHIN: frozenset({"other"}),
    QualityCheck.JUMP: frozenset({"max_change"}),
    QualityCheck.RANGE: frozenset({"min", "max"}),
}


def _check_quality(rule: QualityRule, where: str, leaves: dict[str, Node], add: _Add) -> None:
    for key in ("indicator", "other"):
        code = getattr(rule, key)
        if code is not None and code not in leaves:
            add(say("quality_unknown_indicator", code=code), field=f"{where}.{key}")
    needs = _QUALITY_NEEDS[rule.check]
    given = {k for k in ("other", "min", "max", "max_change") if getattr(rule, k) is not None}
    if rule.check is QualityCheck.RANGE:
        if not given & needs:
            add(say("quality_range_without_bounds"), field=where)
    elif needs - given:
        add(
            say("quality_parameter_missing", check=str(rule.check), parameter=min(needs - given)),
            field=where,
        )
    for extra in sorted(given - needs):
        add(
            say("quality_parameter_not_of_check", check=str(rule.check), parameter=extra),
            field=f"{where}.{extra}",
        )
    if rule.min is not None and rule.max is not None and rule.min > rule.max:
        add(say("quality_min_above_max", min=rule.min, max=rule.max), field=where)
    if rule.check is QualityCheck.NUMERATOR_WITHIN and rule.other in leaves:
        other = leaves[rule.other].rule
        reads_ratio = isinstance(other, RatioRule) or (
            isinstance(other, TiersRule) and other.basis == "ratio"
        )
        if not reads_ratio:
            add(say("quality_other_without_denominator", code=rule.other), field=f"{where}.other")


def _duplicates(codes: list[str]) -> list[str]:
    """The codes that occur more than once, each once, in the order of their second use."""
    seen: set[str] = set()
    out: list[str] = []
    for code in codes:
        if code in seen and code not in out:
            out.append(code)
        seen.add(code)
    return out


def _check_unique_codes(fw: Framework, add: _Add) -> None:
    seen: set[str] = set()
    all_nodes = [n for n, _ in fw.walk()]
    all_nodes += fw.adjustment_items("bonus") + fw.adjustment_items("penalty")
    for node in all_nodes:
        if node.code in seen:
            add(say("duplicate_code", code=node.code), node=node.code, field="code")
        seen.add(node.code)


def _check_node(
    node: Node, inherited: set[str] | None, groups: list[str], add: _Add, adjustment: bool = False
) -> None:
    """Check a node and, depth first, its children (``inherited``: the groups its parent
    applies to, ``None`` for all)."""
    applies = inherited
    if node.applies_to is not None:
        unknown = sorted(set(node.applies_to) - set(groups))
        if unknown:
            add(say("unknown_groups", groups=tuple(unknown)), node.code, "applies_to")
        if inherited is not None and not set(node.applies_to) <= inherited:
            add(say("applies_beyond_parent"), node.code, "applies_to")
        applies = set(node.applies_to)
    if node.direct_input is not None and (node.is_leaf or adjustment):
        add(
            say("direct_input_on_leaf"),
            node.code,
            "direct_input",
        )
    if node.source is not None and (not node.is_leaf or adjustment):
        add(say("source_not_on_leaf"), node.code, "source")
    if node.is_leaf:
        if node.rule is None:
            add(say("leaf_without_rule"), node.code, "rule")
        else:
            _check_rule(node, add)
        _check_source(node, add)
        return
    if adjustment:
        add(say("adjustment_with_children"), node.code, "children")
    if node.rule is not None:
        add(say("parent_with_rule"), node.code, "rule")
    _check_children_add_up(node, applies if applies is not None else set(groups), add)
    for child in node.children:
        _check_node(child, applies, groups, add)


def _check_children_add_up(node: Node, reach: set[str], add: _Add) -> None:
    # Children may be alternatives for different groups (a department-only and a
    # district-only leaf under one parent): the fullest group's children must add up to
    # the node's max exactly; groups reaching less have a lower applicable maximum.
    totals = {
        g: sum(
            child.max
            for child in node.children
            if child.applies_to is None or g in child.applies_to
        )
        for g in sorted(reach)
    } or {"": sum(child.max for child in node.children)}
    fullest = max(totals.values())
    if abs(fullest - node.max) > _TOLERANCE:
        add(
            say("children_max_mismatch", total=fullest, maximum=node.max),
            node.code,
            "max",
        )


def _check_rule(node: Node, add: _Add) -> None:
    rule = node.rule
    if isinstance(rule, RatioRule) and rule.floor >= rule.target:
        add(
            say("floor_not_below_target", floor=rule.floor, target=rule.target),
            node.code,
            "rule.floor",
        )
    if isinstance(rule, TiersRule):
        mins = [t.min for t in rule.tiers]
        points = [t.points for t in rule.tiers]
        if any(b <= a for a, b in pairwise(mins)):
            add(say("tiers_not_increasing"), node.code, "rule.tiers")
        if any(b < a for a, b in pairwise(points)):
            add(say("tier_points_decrease"), node.code, "rule.tiers")
        if max(points) > node.max + _TOLERANCE:
            add(say("tier_exceeds_max", maximum=node.max), node.code, "rule.tiers")


def _check_source(node: Node, add: _Add) -> None:
    """A measured leaf names what it reads; a declared one reads nothing; a denominator only
    for the rules that take one."""
    source = node.source
    if source is None:
        return
    if source.kind == "measured":
        for name in ("connector", "field"):
            if getattr(source, name) is None:
                add(say("source_measured_needs", what=name), node.code, f"source.{name}")
    elif source.connector or source.field or source.denominator:
        add(say("source_declared_reads"), node.code, "source")
    takes_denominator = isinstance(node.rule, RatioRule) or (
        isinstance(node.rule, TiersRule) and node.rule.basis == "ratio"
    )
    if source.denominator is not None and not takes_denominator:
        add(say("source_denominator_without_ratio"), node.code, "source.denominator")


def _check_levels(name: str, levels: list[Level], add: _Add) -> None:
    for code in _duplicates([lv.code for lv in levels]):
        add(say("duplicate_level_code", levels=name, code=code), field=name)
    # A level "above x" (strict) ranks higher than "at least x", so (0, strict) > (0, not strict).
    for above, below in pairwise(levels):
        if (below.min_percent, below.strict) >= (above.min_percent, above.strict):
            add(
                say(
                    "levels_not_decreasing",
                    levels=name,
                    code=below.code,
                    percent=below.min_percent,
                    previous=above.code,
                    previous_percent=above.min_percent,
                ),
                field=name,
            )
    last = levels[-1]
    if last.min_percent != 0 or last.strict:
        add(
            say("last_level_not_zero", code=last.code),
            field=name,
        )
