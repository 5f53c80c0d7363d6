"""The framework file format (*bộ chỉ số*): pydantic models, semantic checks and loading.

A framework is a tree ``pillar → indicator → sub-indicator``; every leaf carries a scoring rule.
Structural problems (types, unknown rules, missing names) are found by pydantic; semantic ones
(duplicate codes, children that do not add up, thresholds out of order) by
:func:`_semantic_problems`.
Every problem names the node code and the field, so an official can fix the file in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dti.engine.errors import FrameworkError, Problem
from dti.engine.safe_yaml import load_yaml

__all__ = [
    "Adjustments",
    "BooleanRule",
    "CountRule",
    "Framework",
    "Group",
    "HistoryMethod",
    "Level",
    "Node",
    "PointsRule",
    "RatioRule",
    "ReportAs",
    "Rule",
    "Scale",
    "Source",
    "Text",
    "TiersRule",
    "load_framework",
    "parse_framework",
]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"
_TOLERANCE = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A name in Vietnamese (required) and English (optional; falls back to Vietnamese)."""

    vi: Annotated[str, Field(min_length=1)]
    en: str | None = None

    def get(self, language: str = "vi") -> str:
        return self.en if language.startswith("en") and self.en else self.vi


class BooleanRule(_Strict):
    """Done / not done: full points for 1 (có), nothing for 0 (không)."""

    type: Literal["boolean"]


class RatioRule(_Strict):
    """Linear in a ratio: full points once the ratio reaches ``target``; 0 below ``floor``.

    ``input: fraction`` takes ``value / denominator`` (or ``value`` itself in [0, 1] when no
    denominator is given); ``input: percent`` takes ``value / 100``.
    """

    type: Literal["ratio"]
    input: Literal["fraction", "percent"] = "fraction"
    target: Annotated[float, Field(gt=0, le=1)] = 1.0
    floor: Annotated[float, Field(ge=0, lt=1)] = 0.0


class Tier(_Strict):
    min: float
    points: Annotated[float, Field(ge=0)]


class TiersRule(_Strict):
    """Ordered thresholds: the points of the highest tier whose ``min`` the value reaches."""

    type: Literal["tiers"]
    basis: Literal["value", "ratio"] = "value"
    tiers: Annotated[list[Tier], Field(min_length=1)]


class CountRule(_Strict):
    """Points per item counted, capped at the node's maximum."""

    type: Literal["count"]
    per_item: Annotated[float, Field(gt=0)]


class PointsRule(_Strict):
    """Points assessed by experts and entered directly; must lie in [0, max]."""

    type: Literal["points"]


Rule = Annotated[
    BooleanRule | RatioRule | TiersRule | CountRule | PointsRule, Field(discriminator="type")
]
RULE_TYPES = ("boolean", "ratio", "tiers", "count", "points")


class Node(_Strict):
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    name: Text
    max: Annotated[float, Field(ge=0)]
    rule: Rule | None = None
    applies_to: list[str] | None = None
    na_allowed: bool = False
    # A node with children whose result the data may also give directly, instead of its
    # components: as an index in [0, 1] (a published national main-indicator value) or as
    # points out of the node's applicable maximum (a pillar score copied from a decision).
    direct_input: Literal["index", "points"] | None = None
    description: str | None = None
    evidence: str | None = None
    children: list[Node] = Field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self, depth: int = 0) -> Iterator[tuple[Node, int]]:
        yield self, depth
        for child in self.children:
            yield from child.walk(depth + 1)


class Adjustments(_Strict):
    """Bonus or penalty points outside the ordinary tree, with a cap on their sum."""

    cap: Annotated[float, Field(gt=0)]
    items: Annotated[list[Node], Field(min_length=1)]


class ReportAs(StrEnum):
    RAW = "raw"  # points as earned, out of the applicable maximum
    RESCALED = "rescaled"  # points / applicable maximum × scale total
    INDEX = "index"  # points / scale total, a value in [0, 1] (national DTI)


class Scale(_Strict):
    total: Annotated[float, Field(gt=0)]
    report: ReportAs = ReportAs.RAW
    decimals: Annotated[int, Field(ge=0, le=6)] = 2
    rounding: Literal["half_up", "half_even"] = "half_up"


class Source(_Strict):
    decision: Annotated[str, Field(min_length=1)]
    date: dt.date | None = None
    issuer: str | None = None
    url: str | None = None
    note: str | None = None


class Level(_Strict):
    """A completion level or a band, reached at ``min_percent`` (above it if ``strict``)."""

    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    name: Text
    min_percent: Annotated[float, Field(ge=0, le=100)]
    strict: bool = False


class Group(_Strict):
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    name: Text


class HistoryMethod(StrEnum):
    MEAN = "mean"
    WEIGHTED = "weighted"
    SUM = "sum"


class Framework(_Strict):
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    version: str | None = None
    name: Text
    years: Annotated[list[int], Field(min_length=1)]
    sources: Annotated[list[Source], Field(min_length=1)]
    status: Literal["official", "partial", "reconstructed"]
    status_note: str | None = None
    replaces: str | None = None
    scale: Scale
    groups: Annotated[list[Group], Field(min_length=1)]
    completion_levels: Annotated[list[Level], Field(min_length=1)]
    bands: Annotated[list[Level], Field(min_length=1)]
    history: HistoryMethod = HistoryMethod.MEAN
    tree: Annotated[list[Node], Field(min_length=1)]
    bonus: Adjustments | None = None
    penalty: Adjustments | None = None

    @field_validator("years")
    @classmethod
    def _years_plausible(cls, years: list[int]) -> list[int]:
        for year in years:
            if not 2000 <= year <= 2100:
                raise ValueError(f"year {year} is outside 2000–2100")
        return years

    # -- navigation -----------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[Node, int]]:
        for pillar in self.tree:
            yield from pillar.walk(0)

    def leaves(self) -> list[Node]:
        return [node for node, _ in self.walk() if node.is_leaf]

    def adjustment_items(self, kind: Literal["bonus", "penalty"]) -> list[Node]:
        block = self.bonus if kind == "bonus" else self.penalty
        return list(block.items) if block else []

    def node(self, code: str) -> Node:
        for node, _ in self.walk():
            if node.code == code:
                return node
        for item in self.adjustment_items("bonus") + self.adjustment_items("penalty"):
            if item.code == code:
                return item
        raise KeyError(code)

    def group_codes(self) -> list[str]:
        return [g.code for g in self.groups]

    def band_for_percent(self, percent: float) -> Level:
        return _level_for(self.bands, percent)

    def completion_for_percent(self, percent: float) -> Level:
        return _level_for(self.completion_levels, percent)


def _level_for(levels: list[Level], percent: float) -> Level:
    for level in levels:
        if percent > level.min_percent or (not level.strict and percent >= level.min_percent):
            return level
    return levels[-1]


# -- semantic checks ----------------------------------------------------------------------


def _semantic_problems(fw: Framework, file: str | None) -> list[Problem]:
    problems: list[Problem] = []

    def add(message: str, node: str | None = None, field: str | None = None) -> None:
        problems.append(Problem(message, file=file, node=node, field=field))

    groups = fw.group_codes()
    if len(set(groups)) != len(groups):
        add("group codes are not unique", field="groups")

    seen: set[str] = set()
    all_nodes = [n for n, _ in fw.walk()]
    all_nodes += fw.adjustment_items("bonus") + fw.adjustment_items("penalty")
    for node in all_nodes:
        if node.code in seen:
            add(f"duplicate code {node.code!r}", node=node.code, field="code")
        seen.add(node.code)

    def check(node: Node, inherited: set[str] | None, adjustment: bool = False) -> None:
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
        # Children may be alternatives for different groups (a department-only and a
        # district-only leaf under one parent): the fullest group's children must add up to
        # the node's max exactly; groups reaching less have a lower applicable maximum.
        reach = applies if applies is not None else set(groups)
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
        for child in node.children:
            check(child, applies)

    for pillar in fw.tree:
        check(pillar, None)
    for block, label in ((fw.bonus, "bonus"), (fw.penalty, "penalty")):
        if block is None:
            continue
        for item in block.items:
            check(item, None, adjustment=True)
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


def _check_rule(node: Node, add: Any) -> None:
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


def _check_levels(name: str, levels: list[Level], add: Any) -> None:
    codes = [lv.code for lv in levels]
    if len(set(codes)) != len(codes):
        add("codes are not unique", field=name)
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


# -- loading ------------------------------------------------------------------------------


def _locate(raw: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str]:
    """Turn a pydantic error location into (node code, field path) using the raw document."""
    code: str | None = None
    field_parts: list[str] = []
    cursor = raw
    for part in loc:
        # pydantic inserts the discriminator tag of a union member into the location.
        if (
            isinstance(part, str)
            and part in RULE_TYPES
            and not (isinstance(cursor, dict) and part in cursor)
        ):
            continue
        try:
            cursor = cursor[part]
        except (KeyError, IndexError, TypeError):
            field_parts.append(str(part))
            continue
        # A coded entry of a list (node, item, level, group) is what the problem is about; its
        # ``name`` may be the very field that is missing, so the code alone identifies it.
        coded = isinstance(cursor, dict) and isinstance(cursor.get("code"), str)
        if isinstance(part, int) and coded:
            code = cursor["code"]
            field_parts = []
        else:
            field_parts.append(str(part))
    return code, ".".join(field_parts) or "(node)"


def _pydantic_problems(exc: ValidationError, raw: Any, file: str | None) -> list[Problem]:
    problems = []
    for err in exc.errors():
        node, field = _locate(raw, tuple(err["loc"]))
        if err["type"] == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag")
            message = f"unknown rule {tag!r} (expected one of {', '.join(RULE_TYPES)})"
        elif err["type"] == "union_tag_not_found":
            message = f"the rule has no 'type' (expected one of {', '.join(RULE_TYPES)})"
        elif err["type"] == "missing":
            message = "is required but missing"
        elif err["type"] == "extra_forbidden":
            message = "is not a known field (check the spelling)"
        else:
            message = err["msg"]
        problems.append(Problem(message, file=file, node=node, field=field))
    return problems


def parse_framework(raw: Any, *, file: str | None = None) -> Framework:
    """Validate an already-parsed document; raise :class:`FrameworkError` listing every problem."""
    if not isinstance(raw, dict):
        raise FrameworkError(Problem("the file must be a mapping of fields", file=file))
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        raise FrameworkError(_pydantic_problems(exc, raw, file)) from None
    problems = _semantic_problems(framework, file)
    if problems:
        raise FrameworkError(problems)
    return framework


def load_framework(source: str | Path | bytes, *, file: str | None = None) -> Framework:
    """Load a framework from a path, or from YAML text/bytes (then pass ``file`` for messages)."""
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and re.search(r"\.ya?ml$", source)
    ):
        path = Path(source)
        file = file or path.name
        try:
            data: str | bytes = path.read_bytes()
        except OSError as exc:
            raise FrameworkError(Problem(f"cannot read file: {exc.strerror}", file=file)) from exc
    else:
        data = source
    return parse_framework(load_yaml(data, file=file), file=file)
