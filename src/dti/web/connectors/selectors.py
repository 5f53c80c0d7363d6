"""Reads for the connectors' pages and for the unit's form (the provenance of measured values)."""

from __future__ import annotations

from collections.abc import Collection

from dti.engine import Problem
from dti.engine.messages import ENGLISH, Message
from dti.web.connectors.models import MeasuredValue, Pull
from dti.web.problems import problem_text

__all__ = ["latest_measurements", "pull_problems"]


def latest_measurements(entry_ids: Collection[int]) -> dict[int, MeasuredValue]:
    """Each entry's last measurement, with its pull, connector and page (one query)."""
    latest: dict[int, MeasuredValue] = {}
    rows = (
        MeasuredValue.objects.filter(entry_id__in=list(entry_ids))
        .select_related("pull__connector", "payload")
        .order_by("entry_id", "-measured_at", "-id")
    )
    for row in rows:
        latest.setdefault(row.entry_id, row)
    return latest


def pull_problems(pull: Pull) -> list[str]:
    """The pull's stored problems in the active language (their codes rendered here)."""
    out = []
    for row in pull.problems or []:
        code = row.get("code")
        params = {
            k: tuple(v) if isinstance(v, list) else v for k, v in (row.get("params") or {}).items()
        }
        message: str = Message(code, params) if code in ENGLISH else str(row.get("text", ""))
        problem = Problem(
            message,
            file=row.get("file"),
            sheet=row.get("sheet"),
            row=row.get("row"),
            column=row.get("column"),
            node=row.get("node"),
            field=row.get("field"),
        )
        out.append(problem_text(problem))
    return out
