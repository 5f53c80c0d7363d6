"""What the API reads and writes (pydantic models via django-ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import FiniteFloat, StringConstraints

# Database ids fit in 31 bits here; larger numbers are refused (422) before any query.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,60}$")]
# Free text without NUL characters (PostgreSQL refuses them in text columns).
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=5000)]
Number = Annotated[FiniteFloat, Field(ge=-1e12, le=1e12)]


# -- frameworks --------------------------------------------------------------------------------


class FrameworkOut(Schema):
    id: int
    code: str
    version: str
    name: str
    sha256: str
    uploaded_at: dt.datetime


class NodeOut(Schema):
    """One node of the tree in depth-first order; ``parent`` links it to its pillar or
    indicator; ``section`` is ``tree``, ``bonus`` or ``penalty``."""

    code: str
    parent: str | None
    depth: int
    section: str
    name: str
    name_en: str
    max: float
    is_leaf: bool
    rule: str
    rule_type: str
    na_allowed: bool
    applies_to: list[str] | None


class FrameworkDetailOut(FrameworkOut):
    groups: list[str]
    nodes: list[NodeOut]


# -- units -------------------------------------------------------------------------------------


class GroupOut(Schema):
    code: str
    name: str


class PredecessorOut(Schema):
    """One lineage edge into the unit: ``kind`` merge/split/rename/transfer, on ``date``."""

    code: str
    kind: str
    date: dt.date | None
    weight: float | None
    basis: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    group: GroupOut
    parent: str | None
    active: bool
    valid_from: dt.date | None = Field(description="first day (null: since ever)")
    valid_to: dt.date | None = Field(description="last day (null: still exists)")
    basis: str
    predecessors: list[PredecessorOut]


# -- periods -----------------------------------------------------------------------------------


class PeriodFrameworkOut(Schema):
    group: str
    framework_id: int
    framework: str


class PeriodOut(Schema):
    id: int
    year: int
    name: str
    self_deadline: dt.datetime
    verification_deadline: dt.datetime
    frameworks: list[PeriodFrameworkOut]


class ProgressOut(Schema):
    total: int
    by_status: dict[str, int]
    submitted: int
    verified: int


class PeriodDetailOut(PeriodOut):
    progress: ProgressOut | None = Field(
        description="Counts of assessments by status; only with a token."
    )


# -- results -----------------------------------------------------------------------------------


class ResultOut(Schema):
    assessment_id: int
    unit_id: int
    unit: str
    unit_name: str
    group: str
    status: str
    self_score: float | None
    verified_score: float | None
    score: float | None = Field(description="The ranked score: verified once verification ended.")
    band: str
    rank: int | None = Field(description="Rank within the group; null when not ranked for you.")
    verified: bool
    provisional: bool = Field(
        False, description="The unit's group is published in part: its ranks are provisional."
    )


class RankingOut(Schema):
    group: str
    group_name: str
    published_only: bool
    rows: list[ResultOut]
    group_size: int = Field(0, description="Units the period assesses in the group.")
    published: int = Field(0, description="Of them, the published ones.")
    provisional: bool = Field(
        False, description="Published in part: ranks and means are provisional (see missing)."
    )
    missing: list[str] = Field(
        default_factory=list, description="Units of the group not published yet (code — name)."
    )


class PillarLineOut(Schema):
    pillar: str
    name: str
    points: float
    max: float
    percent: float | None
    group_mean_percent: float | None
    leader_percent: float | None


class IndicatorLineOut(Schema):
    indicator: str
    name: str
    points: float
    max: float
    percent: float
    level: str


class AdjustmentOut(Schema):
    indicator: str
    name: str
    assessed: float
    verified: float
    change: float
    reason: str


class TrendPointOut(Schema):
    period: str
    score: float


class ScorecardOut(Schema):
    unit: str
    name: str
    group: str
    group_name: str
    period: str
    published_only: bool
    score: float
    decimals: int
    scale_total: float | None
    rank: int
    group_size: int = Field(description="Units the period assesses in the group, published or not.")
    provisional: bool = Field(
        False, description="The group is published in part: the rank is provisional."
    )
    missing: list[str] = Field(
        default_factory=list, description="Units of the group not published yet."
    )
    band_name: str
    leader_name: str
    leader_score: float
    group_mean: float
    pillars: list[PillarLineOut]
    trend: list[TrendPointOut]
    strongest: list[IndicatorLineOut]
    weakest: list[IndicatorLineOut]
    not_done: list[IndicatorLineOut]
    adjustments: list[AdjustmentOut]


# -- assessments -------------------------------------------------------------------------------


class AssessmentOut(Schema):
    id: int
    period: int
    year: int
    unit_id: int
    unit: str
    unit_name: str
    group: str
    framework: str
    status: str
    self_score: float | None
    self_band: str
    verified_score: float | None
    verified_band: str
    applicable_max: float | None
    updated_at: dt.datetime


class EntryOut(Schema):
    indicator: str
    position: int
    value: float | None
    denominator: float | None
    applicable: bool
    explanation: str
    verdict: str
    version: int
    self_points: float | None
    verified_points: float | None


class AssessmentDetailOut(AssessmentOut):
    self_deadline: dt.datetime
    entries: list[EntryOut]


class EntryIn(Schema):
    """The unit's own data for one indicator, based on the entry's ``version``."""

    version: Id
    value: Number | None = None
    denominator: Number | None = None
    applicable: bool = True
    explanation: Text | None = Field(default=None, description="null keeps the current one")


class BatchEntryIn(EntryIn):
    indicator: Code


class BatchIn(Schema):
    entries: list[BatchEntryIn] = Field(min_length=1, max_length=500)


class SavedOut(Schema):
    assessment: AssessmentOut
    entries: list[EntryOut]


# -- the explanation of a score ---------------------------------------------------------------


class OriginOut(Schema):
    verified: bool = Field(description="The verifier's value counts (an adjustment).")
    reason: str = Field(description="The adjustment's reason.")
    entered_at: dt.datetime | None
    entered_by: str = Field(description="Only for callers who may open the assessment.")
    imported_from: str = Field(description="The values import's file that set the value.")
    verified_at: dt.datetime | None
    verified_by: str


class ExplainLineOut(Schema):
    indicator: str
    name: str
    kind: str = Field(description="tree, bonus or penalty")
    pillar: str | None
    rule: str = Field(description="boolean, ratio, tiers, count or points")
    parameters: dict[str, float]
    rule_text: str
    value: float | None
    denominator: float | None
    applicable: bool
    given_as: str | None
    basis: float | None = Field(description="What the rule reads: the ratio, value or count.")
    points: float
    max: float
    steps: list[str] = Field(description="The arithmetic, in the caller's language.")
    step_codes: list[str]
    origin: OriginOut | None


class ExplainPillarOut(Schema):
    pillar: str
    name: str
    points: float
    max: float
    full_max: float


class ExplainOut(Schema):
    unit: str
    period: str
    group: str
    framework: str
    published_only: bool
    indicators: list[ExplainLineOut]
    pillars: list[ExplainPillarOut]
    tree_points: float
    bonus: float
    penalty: float
    total: float
    applicable_max: float
    not_applicable_max: float
    percent: float
    report: str
    exact: float
    score: float
    band: str
    steps: list[str]
    previous: list[str]
