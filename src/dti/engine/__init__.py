"""The scoring engine: framework files in, scores, ranks, bands and comparisons out.

Pure Python (pydantic, NumPy, Polars); it never imports Django. The web application builds on
it through this public API only.
"""

from dti.engine.compiled import CompiledFramework, LeafKind, RuleType, compile_framework
from dti.engine.crosswalk import Crosswalk, compare_versions, load_crosswalk
from dti.engine.errors import DataError, DtiError, FrameworkError, Problem
from dti.engine.framework import (
    BooleanRule,
    CountRule,
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
    load_framework,
    parse_framework,
)
from dti.engine.history import attach_previous, derive_previous
from dti.engine.lineage import LINEAGE_COLUMNS, EventKind, Registry
from dti.engine.quality import QualityWarning, quality_warnings
from dti.engine.restate import restate
from dti.engine.scoring import ScoreResult, round_published, score

__all__ = [
    "LINEAGE_COLUMNS",
    "BooleanRule",
    "CompiledFramework",
    "CountRule",
    "Crosswalk",
    "DataError",
    "DtiError",
    "EventKind",
    "Framework",
    "FrameworkError",
    "HistoryMethod",
    "LeafKind",
    "Level",
    "Node",
    "PointsRule",
    "Problem",
    "QualityCheck",
    "QualityRule",
    "QualityWarning",
    "RatioRule",
    "Registry",
    "ReportAs",
    "Rule",
    "RuleType",
    "ScoreResult",
    "Text",
    "Tier",
    "TiersRule",
    "attach_previous",
    "compare_versions",
    "compile_framework",
    "derive_previous",
    "load_crosswalk",
    "load_framework",
    "parse_framework",
    "quality_warnings",
    "restate",
    "round_published",
    "score",
]
