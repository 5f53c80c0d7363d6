"""The framework file format (*bộ chỉ số*) as pydantic models: the tree, its rules, scale,
groups, levels and bands. Structural problems (types, unknown rules, missing names) are found
here, by pydantic; the semantic checks are in :mod:`.semantics`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "CODE_PATTERN",
    "RULE_TYPES",
    "Adjustments",
    "BooleanRule",
    "CountRule",
    "EvidenceKind",
    "Framework",
    "Group",
    "HistoryMethod",
    "Level",
    "Node",
    "PointsRule",
    "QualityCheck",
    "QualityRule",
    "RatioRule",
    "ReportAs",
    "Rule",
    "Scale",
    "Source",
    "Text",
    "Tier",
    "TiersRule",
    "ValueSource",
]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"


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


class ValueSource(_Strict):
    """Where a leaf's value comes from: typed by the unit (``declared``, the default) or pulled
    from a connector (``measured``): ``connector`` is the connector's code in the province's
    configuration, ``field`` the value it reads and, for a ratio, ``denominator`` the field of
    its denominator (without one, the field holds the fraction itself)."""

    kind: Literal["declared", "measured"] = "declared"
    connector: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None
    field: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None
    denominator: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None


Rule = Annotated[
    BooleanRule | RatioRule | TiersRule | CountRule | PointsRule, Field(discriminator="type")
]
RULE_TYPES = ("boolean", "ratio", "tiers", "count", "points")


class EvidenceKind(StrEnum):
    """The kinds of document a leaf may ask for as evidence (a unit's documents are filed under
    one of them, so that a document already filed is suggested where that kind is asked)."""

    DECISION = "decision"  # quyết định
    PLAN = "plan"  # kế hoạch
    REPORT = "report"  # báo cáo
    REGULATION = "regulation"  # quy chế, quy định
    LETTER = "letter"  # công văn, thông báo
    OTHER = "other"  # văn bản, tài liệu khác


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
    # The kinds of document ``evidence`` describes, as data (what the platform suggests).
    evidence_kinds: list[EvidenceKind] | None = None
    # A leaf only: ``source: declared`` (the default) or ``source: {kind: measured, ...}``.
    source: ValueSource | None = None
    children: list[Node] = Field(default_factory=list)

    @field_validator("source", mode="before")
    @classmethod
    def _source_shorthand(cls, value: object) -> object:
        # ``source: declared`` written as a bare word is the mapping with that kind.
        return {"kind": value} if isinstance(value, str) else value

    @property
    def measured(self) -> bool:
        return self.source is not None and self.source.kind == "measured"

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


class QualityCheck(StrEnum):
    """What a data-quality rule checks (warnings, never refusals: the data may be right)."""

    NOT_ABOVE = "not_above"  # the indicator's value is not above the other's value
    NUMERATOR_WITHIN = "numerator_within"  # its value is not above the other's denominator
    JUMP = "jump"  # its measure moved by more than max_change against the previous period
    RANGE = "range"  # its measure lies within [min, max]


class QualityRule(_Strict):
    """A data-quality check across indicators, declared by the framework.

    The *measure* of a leaf is its ratio (value ÷ denominator) when a denominator is given,
    else its value: ``range`` and ``jump`` read the measure, ``not_above`` and
    ``numerator_within`` the raw numbers. ``max_change`` is relative (0.5: a move of more
    than half the previous measure).
    """

    check: QualityCheck
    indicator: Annotated[str, Field(pattern=CODE_PATTERN)]
    other: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None
    min: float | None = None
    max: float | None = None
    max_change: Annotated[float, Field(gt=0)] | None = None
    note: Text | None = None


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
    # When some predecessors have no value for the compared period: derive from the others and
    # mark the value ``previous_partial`` (``partial``), or refuse to derive it (``refuse``).
    history_partial: Literal["refuse", "partial"] = "partial"
    tree: Annotated[list[Node], Field(min_length=1)]
    bonus: Adjustments | None = None
    penalty: Adjustments | None = None
    # Data-quality checks run on every save, import, pull and snapshot (warnings only).
    quality: list[QualityRule] = Field(default_factory=list)

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

    def measured_leaves(self) -> dict[str, ValueSource]:
        """Leaf code → its source, for the leaves whose values a connector pulls."""
        return {n.code: n.source for n in self.leaves() if n.source is not None and n.measured}

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
