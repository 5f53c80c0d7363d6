"""The evidence registry's test world: a second period (2024) for the world's units, on a version
of the mini framework whose indicator 1.1 asks for a decision (``evidence_kinds``), so that one
document can be linked across periods and suggested where its kind is asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
ASKS_A_DECISION = """        rule: {type: boolean}
        evidence: Quyết định thành lập Ban chỉ đạo
        evidence_kinds: [decision]
"""


def framework_asking_for_a_decision() -> str:
    text = (FIXTURES / "mini.yaml").read_text()
    text = text.replace("years: [2022, 2023]", "years: [2022, 2023, 2024]", 1)
    # 1.1 is the first leaf with a boolean rule.
    return text.replace("        rule: {type: boolean}\n", ASKS_A_DECISION, 1)


@pytest.fixture
def year_2024(world: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from dti.web.assessments.services import period_open
    from dti.web.frameworks.services import framework_store

    version = framework_store(
        actor=None, yaml_text=framework_asking_for_a_decision(), check_role=False
    )
    groups = {world["units"]["a"].group, world["units"]["c"].group}
    now = timezone.now()
    period = period_open(
        actor=world["users"]["admin"],
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=now + dt.timedelta(days=30),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks=dict.fromkeys(groups, version),
    )
    assessments = {a.unit.code: a for a in period.assessments.select_related("unit")}
    return {"period": period, "mine": assessments["so-a"], "theirs": assessments["so-b"]}
