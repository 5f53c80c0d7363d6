"""Reading stored frameworks as engine objects (parsed once per content hash)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from dti.engine import (
    CompiledFramework,
    Framework,
    Node,
    ValueSource,
    compile_framework,
    load_framework,
)
from dti.io.template import describe_rule
from dti.web.frameworks.models import FrameworkVersion


@lru_cache(maxsize=64)
def _parse(sha256: str, yaml_text: str) -> tuple[Framework, CompiledFramework]:
    framework = load_framework(yaml_text, file=f"{sha256[:12]}.yaml")
    return framework, compile_framework(framework)


def framework_parsed(version: FrameworkVersion) -> Framework:
    return _parse(version.sha256, version.yaml_text)[0]


def framework_compiled(version: FrameworkVersion) -> CompiledFramework:
    return _parse(version.sha256, version.yaml_text)[1]


def framework_measured(version: FrameworkVersion) -> dict[str, ValueSource]:
    """The leaves whose values a connector pulls (code → source): not typed by the unit."""
    return framework_parsed(version).measured_leaves()


@dataclass(frozen=True)
class TreeRow:
    """One line of the readable tree: a pillar, an indicator or a leaf."""

    code: str
    name: str
    depth: int
    max: float
    rule: str
    is_leaf: bool
    na_allowed: bool
    applies_to: str
    section: str = ""


def framework_tree(framework: Framework, language: str = "vi") -> list[TreeRow]:
    rows: list[TreeRow] = []

    def add(node: Node, depth: int, section: str = "") -> None:
        rows.append(
            TreeRow(
                code=node.code,
                name=node.name.get(language),
                depth=depth,
                max=node.max,
                rule=describe_rule(node) if node.is_leaf else "",
                is_leaf=node.is_leaf,
                na_allowed=node.na_allowed,
                applies_to=", ".join(node.applies_to or []),
                section=section,
            )
        )
        for child in node.children:
            add(child, depth + 1)

    for pillar in framework.tree:
        add(pillar, 0)
    for kind in ("bonus", "penalty"):
        for item in framework.adjustment_items(kind):
            add(item, 1, section=kind)
    return rows


def leaves_for_group(framework: Framework, group: str) -> list[Node]:
    """Leaves (tree, then bonus, then penalty) that apply to ``group``, in framework order."""
    out: list[Node] = []

    def visit(node: Node, inherited: bool) -> None:
        applies = group in node.applies_to if node.applies_to is not None else inherited
        if not applies:
            return
        if node.is_leaf:
            out.append(node)
        for child in node.children:
            visit(child, True)

    for pillar in framework.tree:
        visit(pillar, True)
    for item in framework.adjustment_items("bonus") + framework.adjustment_items("penalty"):
        visit(item, True)
    return out


def pillar_of(framework: Framework) -> dict[str, str]:
    """Leaf code → pillar code (bonus/penalty items → "bonus"/"penalty")."""
    found: dict[str, str] = {}
    for pillar in framework.tree:
        for node, _ in pillar.walk():
            if node.is_leaf:
                found[node.code] = pillar.code
    for item in framework.adjustment_items("bonus"):
        found[item.code] = "bonus"
    for item in framework.adjustment_items("penalty"):
        found[item.code] = "penalty"
    return found
