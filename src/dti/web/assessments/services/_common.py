"""What the assessment services share: the lock, the rows the engine reads, the engine's
verdict on them and the conditional update that refuses a stale version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from dti.engine import DataError, ScoreResult
from dti.web.assessments.calculations import UnitRow, ValueRow, run
from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.assessments.workflow import counted_values
from dti.web.errors import InvalidInput, NotFound, StaleVersion
from dti.web.frameworks.selectors import framework_compiled
from dti.web.problems import problem_message

RowOf = Callable[[Assessment, IndicatorEntry], ValueRow]


def locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under a row lock, with what its services read."""
    try:
        return (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("period", "unit__group", "framework")
            .get(pk=assessment.pk)
        )
    except Assessment.DoesNotExist as exc:
        raise NotFound(_("The assessment no longer exists.")) from exc


def unit_row(assessment: Assessment) -> UnitRow:
    unit = assessment.unit
    return UnitRow(unit=unit.code, name=unit.name, group=unit.group.code)


def _row(assessment: Assessment, e: IndicatorEntry, *, verified: bool) -> ValueRow:
    value, denominator, applicable = counted_values(e, verified=verified)
    return ValueRow(
        assessment.unit.code, assessment.period.code, e.indicator, value, denominator, applicable
    )


def self_row(assessment: Assessment, e: IndicatorEntry) -> ValueRow:
    """The unit's own data for one indicator."""
    return _row(assessment, e, verified=False)


def verified_row(assessment: Assessment, e: IndicatorEntry) -> ValueRow:
    """The data that count on the verified side: the verifier's where adjusted."""
    return _row(assessment, e, verified=True)


def rows_replacing(
    assessment: Assessment,
    current: IndicatorEntry,
    row_of: RowOf,
    value: float | None,
    denominator: float | None,
    applicable: bool,
    entries: list[IndicatorEntry] | None = None,
) -> list[ValueRow]:
    """Every entry's row as ``row_of`` reads it, except ``current``'s, which gets the new data:
    what the engine must accept before one indicator's save is written. ``entries``: all of
    the assessment's, in position order, if the caller has loaded them."""
    if entries is None:
        entries = list(assessment.entries.order_by("position"))
    code, period = assessment.unit.code, assessment.period.code
    return [
        ValueRow(code, period, e.indicator, value, denominator, applicable)
        if e.pk == current.pk
        else row_of(assessment, e)
        for e in entries
    ]


def validate(
    assessment: Assessment, rows: list[ValueRow], source: str | None = None
) -> ScoreResult:
    """Let the engine judge the data; its problems are the user's messages. The result scores
    ``rows``: a caller saving exactly these rows need not score them again."""
    try:
        return run(
            framework_compiled(assessment.framework), rows, [unit_row(assessment)], source=source
        )
    except DataError as exc:
        raise InvalidInput(
            _("The data were refused."), problems=[problem_message(p) for p in exc.problems]
        ) from exc


def entry_values(entry: IndicatorEntry, prefix: str) -> dict[str, Any]:
    """One side's (``self`` or ``verified``) data of an entry, as the audit records them."""
    return {
        f"{prefix}_value": getattr(entry, f"{prefix}_value"),
        f"{prefix}_denominator": getattr(entry, f"{prefix}_denominator"),
        f"{prefix}_applicable": getattr(entry, f"{prefix}_applicable"),
    }


def versioned_update(
    entry: IndicatorEntry,
    version: int,
    now: dt.datetime,
    stale: str,
    **changes: Any,
) -> None:
    """Write ``changes`` to the entry if nobody saved it since ``version``; refuse otherwise.
    The conditional UPDATE is the lock: it matches nothing if someone saved in between."""
    updated = IndicatorEntry.objects.filter(pk=entry.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=now
    )
    if not updated:
        raise StaleVersion(stale)
