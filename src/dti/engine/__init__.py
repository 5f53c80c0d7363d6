"""The scoring engine: framework files in, scores, ranks, bands and comparisons out.

Pure Python (pydantic, NumPy, Polars); it never imports Django. The web application builds on
it through this public API only.
"""

from dti.engine.compiled import CompiledFramework, LeafKind, RuleType, compile_framework
from dti.engine.crosswalk import Crosswalk, compare_versions, load_crosswalk
from dti.engine.errors import DataError, DtiError, FrameworkError, Problem
from dti.engine.explain import IndicatorTrace, PillarTrace, Previous, Trace, explain, previous_trace
from dti.engine.framework import (
    BooleanRule,
    CountRule,
    EvidenceKind,
    Framework,
    HistoryMethod,
    Level,
    Node,
    PointsRule,
    QualityCheck,
    QualityRule,
    RatioRule,
    ReportAs,
    Rule,
    Text,
    Tier,
    TiersRule,
    ValueSource,
    load_framework,
    parse_framework,
)
from dti.engine.history import attach_previous, derive_previous
from dti.engine.lineage import LINEAGE_COLUMNS, EventKind, Registry
from dti.engine.planner import BandPlan, Plan, Step, plan_band, score_for_rank
from dti.engine.quality import QualityWarning, quality_warnings
from dti.engine.restate import restate
from dti.engine.robustness import Perturbations, RobustnessReport, robustness
from dti.engine.scoring import ScoreResult, round_published, score

__all__ = [
    "LINEAGE_COLUMNS",
    "BandPlan",
    "BooleanRule",
    "CompiledFramework",
    "CountRule",
    "Crosswalk",
    "DataError",
    "DtiError",
    "EventKind",
    "EvidenceKind",
    "Framework",
    "FrameworkError",
    "HistoryMethod",
    "IndicatorTrace",
    "LeafKind",
    "Level",
    "Node",
    "Perturbations",
    "PillarTrace",
    "Plan",
    "PointsRule",
    "Previous",
    "Problem",
    "QualityCheck",
    "QualityRule",
    "QualityWarning",
    "RatioRule",
    "Registry",
    "ReportAs",
    "RobustnessReport",
    "Rule",
    "RuleType",
    "ScoreResult",
    "Step",
    "Text",
    "Tier",
    "TiersRule",
    "Trace",
    "ValueSource",
    "attach_previous",
    "compare_versions",
    "compile_framework",
    "derive_previous",
    "explain",
    "load_crosswalk",
    "load_framework",
    "parse_framework",
    "plan_band",
    "previous_trace",
    "quality_warnings",
    "restate",
    "robustness",
    "round_published",
    "score",
    "score_for_rank",
]
