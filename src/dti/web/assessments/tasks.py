"""The assessments' long jobs on the queue (huey, discovered by djhuey): the values import
and the period-wide recompute run in a consumer process, never in a web process, so a deploy
or a recycled web worker no longer interrupts them."""

from __future__ import annotations

from django.contrib.auth.models import User
from huey.contrib.djhuey import db_task

from dti.web.assessments.models import Period
from dti.web.assessments.period_import.jobs import values_import_run
from dti.web.assessments.services.recompute import period_recompute


# Not retried: the job row is claimed once (queued → running); a consumer killed mid-way
# leaves it "running" with a stopped heartbeat, which the page shows as interrupted, and the
# import's single transaction leaves nothing written.
@db_task()  # type: ignore[untyped-decorator]
def values_import_task(job_id: int) -> str:
    return str(values_import_run(job_id).state)


@db_task()  # type: ignore[untyped-decorator]
def period_recompute_task(period_id: int, actor_id: int, reason: str = "") -> dict[str, int]:
    """The period rescored as ``actor`` (all or nothing, in one transaction)."""
    report = period_recompute(
        actor=User.objects.get(pk=actor_id), period=Period.objects.get(pk=period_id), reason=reason
    )
    return {"recomputed": report.recomputed, "changed": report.changed, "frozen": report.frozen}
