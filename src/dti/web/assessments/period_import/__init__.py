"""Room: values import — many units' values for a period in one file, applied in the
background with its progress.

The department collects some data centrally (the national public-service portal's online rates,
a survey's results) and enters it for every unit at once: a long values table (``unit, period,
indicator, value[, denominator][, applicable]``, .xlsx or .csv — the CLI's format), tens of
thousands of rows. The upload is stored and answered at once (:mod:`.jobs`); a background
thread reads it (:mod:`.reading`, reporting rows read, so the page shows a progress bar:
:mod:`.progress`), then, in one transaction with the units' assessments locked, checks every
row with the engine and writes the changed values, their audit events and the new scores
(:mod:`.applying`). Any problem fails the whole import with located messages and nothing
written; a process that dies mid-way leaves the same (the transaction rolls back) and the page
says the import was interrupted.
"""

from __future__ import annotations

from dti.web.assessments.period_import.jobs import values_import_run, values_import_start
from dti.web.assessments.period_import.progress import (
    STALE_AFTER,
    ImportProgress,
    import_progress,
    is_interrupted,
)

__all__ = [
    "STALE_AFTER",
    "ImportProgress",
    "import_progress",
    "is_interrupted",
    "values_import_run",
    "values_import_start",
]
