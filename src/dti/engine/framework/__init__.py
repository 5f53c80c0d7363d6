"""The framework file format (*bộ chỉ số*): pydantic models, semantic checks and loading.

A framework is a tree ``pillar → indicator → sub-indicator``; every leaf carries a scoring rule.
Structural problems (types, unknown rules, missing names) are found by pydantic
(:mod:`.models`); semantic ones (duplicate codes, children that do not add up, thresholds out of
order) by :mod:`.semantics`; :mod:`.loading` reads the YAML and runs both.
Every problem names the node code and the field, so an official can fix the file in one pass.
"""

from dti.engine.framework.loading import load_framework, parse_framework
from dti.engine.framework.models import (
    Adjustments,
    BooleanRule,
    CountRule,
    EvidenceKind,
    Framework,
    Group,
    HistoryMethod,
    Level,
    Node,
    PointsRule,
    QualityCheck,
    QualityRule,
    RatioRule,
    ReportAs,
    Rule,
    Scale,
    Source,
    Text,
    Tier,
    TiersRule,
    ValueSource,
)

__all__ = [
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
    "load_framework",
    "parse_framework",
]
