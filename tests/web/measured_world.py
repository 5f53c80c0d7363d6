"""A world measured continuously: a 2024 period on the mini framework with data-quality rules
(units filled in), after the world's 2023 period on the plain mini framework."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.assessments.services import assessment_recompute, period_open
from dti.web.frameworks.services import framework_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# The mini framework with a data-quality rule: video-conference points (1.3) not above 5.
QUALITY = """
quality:
  - check: range
    indicator: "1.3"
    max: 5
  - check: jump
    indicator: "1.3"
    max_change: 0.5
"""


def fill(assessment: Assessment, **values: tuple[float, float | None]) -> None:
    for code, (value, denominator) in values.items():
        IndicatorEntry.objects.filter(assessment=assessment, indicator=code).update(
            self_value=value, self_denominator=denominator
        )
    assessment_recompute(assessment=Assessment.objects.get(pk=assessment.pk))


@pytest.fixture
def measured(world: dict[str, Any]) -> dict[str, Any]:
    """A 2024 period on the mini framework with quality rules; the world's 2023 period
    before it (for the year-over-year jump)."""
    text = (FIXTURES / "mini.yaml").read_text().replace("test-mini", "test-mini-q") + QUALITY
    version = framework_store(actor=None, yaml_text=text, check_role=False)
    groups = {pf.group: version for pf in world["period"].frameworks.select_related("group")}
    now = timezone.now()
    period = period_open(
        actor=world["users"]["admin"],
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=now + dt.timedelta(days=30),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks=groups,
    )
    by_code = {a.unit.code: a for a in period.assessments.select_related("unit")}
    fill(by_code["so-a"], **{"1.1": (1, None), "1.2": (8, 10), "1.3": (3, None)})
    fill(by_code["so-b"], **{"1.1": (0, None), "1.2": (4, 10), "1.3": (8, None)})
    fill(by_code["huyen-c"], **{"1.1": (1, None), "1.2": (5, 10)})
    return {
        **world,
        "period24": period,
        "a": by_code["so-a"],
        "b": by_code["so-b"],
        "c": by_code["huyen-c"],
        "admin": world["users"]["admin"],
    }
