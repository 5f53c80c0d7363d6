"""When a continuously measured period is due for its next snapshot (pure dates)."""

from __future__ import annotations

import datetime as dt

from dti.web.snapshots.models import Rhythm

__all__ = ["snapshot_due"]


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


def snapshot_due(rhythm: Rhythm | str, last: dt.date | None, today: dt.date) -> bool:
    """Whether a snapshot is due ``today`` when the last one was taken on ``last``: the first
    day of each calendar month (quarter) without one, or seven days after the last (weekly).
    The schedule runs daily, so a day missed (the consumer was down) is caught up the next."""
    if last is None:
        return True
    if last >= today:
        return False
    rhythm = Rhythm(rhythm)
    if rhythm is Rhythm.WEEKLY:
        return (today - last).days >= 7
    if rhythm is Rhythm.QUARTERLY:
        return _quarter(last) != _quarter(today)
    return (last.year, last.month) != (today.year, today.month)
