"""The assessment's summary block (scores, pillars, data-quality warnings): the same context
for the page and for the JSON answers that replace the block after a save."""

from __future__ import annotations

from typing import Any

from dti.web.assessments.models import Assessment
from dti.web.assessments.quality import assessment_quality, warning_texts


def summary_context(assessment: Assessment) -> dict[str, Any]:
    """``a`` and ``quality``: the warnings of the framework's rules over the values that
    count now, judged again on every render (so after every save)."""
    return {"a": assessment, "quality": warning_texts(assessment_quality(assessment))}
