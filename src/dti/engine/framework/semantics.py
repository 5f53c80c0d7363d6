"""The semantic checks of a framework that pydantic cannot express: unique codes, known groups,
children adding up to their parent, rules and levels that make sense."""

from __future__ import annotations

from itertools import pairwise
from typing import Protocol

from dti.engine.errors import Problem
from dti.engine.framework.models import Framework, Level, Node, RatioRule, TiersRule

__all__ = ["semantic_problems"]

# Maxima are decimals written by people: sums that differ by less than this are equal.
_TOLERANCE = 1e-6


class _Add(Protocol):
    """Records one problem about a node's field (or the whole framework's)."""

    def __call__(self, message: str, node: str | None = None, field: str | None = None) -> None:
        """Record the problem."""


def semantic_problems(fw: Framework, file: str | None) -> list[Problem]:
    """Every semantic problem of a structurally valid framework, in the order of the file."""
    problems: list[Problem] = []

    def add(message: str, node: str | None = None, field: str | None = None) -> None:
        problems.append(Problem(message, file=file, node=node, field=field))

    groups = fw.group_codes()
    for code in _duplicates(groups):
        add(f"duplicate group code {code!r}", field="groups")
    _check_unique_codes(fw, add)
    for pillar in fw.tree:
        _check_node(pillar, None, groups, add)
    for block, label in ((fw.bonus, "bonus"), (fw.penalty, "penalty")):
        if block is None:
            continue
        for item in block.items:
            _check_node(item, None, groups, add, adjustment=True)
            if item.max > block.cap + _TOLERANCE:
                add(f"max exceeds the {label} cap {block.cap:g}", item.code, "max")

    pillar_total = sum(p.max for p in fw.tree)
    if abs(pillar_total - fw.scale.total) > _TOLERANCE:
        add(
            f"pillars' max points add up to {pillar_total:g}, not the scale total "
            f"{fw.scale.total:g}",
            field="scale.total",
        )
    for name, levels in (("bands", fw.bands), ("completion_levels", fw.completion_levels)):
        _check_levels(name, levels, add)
    return problems


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
            add(f"duplicate code {node.code!r}", node=node.code, field="code")
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
            add(f"unknown group(s) {', '.join(unknown)}", node.code, "applies_to")
        if inherited is not None and not set(node.applies_to) <= inherited:
            add("applies to groups its parent does not", node.code, "applies_to")
        applies = set(node.applies_to)
    if node.direct_input is not None and (node.is_leaf or adjustment):
        add(
            "direct_input is for nodes with children (a leaf's own rule takes its value)",
            node.code,
            "direct_input",
        )
    if node.is_leaf:
        if node.rule is None:
            add("a leaf needs a scoring rule", node.code, "rule")
        else:
            _check_rule(node, add)
        return
    if adjustment:
        add("bonus and penalty items cannot have children", node.code, "children")
    if node.rule is not None:
        add("a node with children cannot have its own rule", node.code, "rule")
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
            f"children's max points add up to {fullest:g}, not the node's {node.max:g}",
            node.code,
            "max",
        )


def _check_rule(node: Node, add: _Add) -> None:
    rule = node.rule
    if isinstance(rule, RatioRule) and rule.floor >= rule.target:
        add(f"floor {rule.floor:g} must be below target {rule.target:g}", node.code, "rule.floor")
    if isinstance(rule, TiersRule):
        mins = [t.min for t in rule.tiers]
        points = [t.points for t in rule.tiers]
        if any(b <= a for a, b in pairwise(mins)):
            add("tier thresholds (min) must be strictly increasing", node.code, "rule.tiers")
        if any(b < a for a, b in pairwise(points)):
            add("tier points must not decrease as thresholds rise", node.code, "rule.tiers")
        if max(points) > node.max + _TOLERANCE:
            add(f"a tier gives more than the node's max {node.max:g}", node.code, "rule.tiers")


def _check_levels(name: str, levels: list[Level], add: _Add) -> None:
    for code in _duplicates([lv.code for lv in levels]):
        add(f"duplicate {name} code {code!r}", field=name)
    # A level "above x" (strict) ranks higher than "at least x", so (0, strict) > (0, not strict).
    keys = [(lv.min_percent, lv.strict) for lv in levels]
    if any(b >= a for a, b in pairwise(keys)):
        add("thresholds must be listed from highest to lowest, strictly decreasing", field=name)
    last = levels[-1]
    if last.min_percent != 0 or last.strict:
        add(
            f"the last level {last.code!r} must start at min_percent 0 (not strict) "
            "so that every score gets one",
            field=name,
        )
