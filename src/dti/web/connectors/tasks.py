"""The connectors' work on the queue (huey, discovered by djhuey).

A pull is retried with backoff when its failure may pass (a timeout, a 5xx, a partial page:
30 s, then 60 s, then 120 s); the pull row, claimed by a conditional ``UPDATE``, makes a
second delivery of the same task harmless. A consumer killed mid-pull loses the task (huey
has already taken it off the queue) and leaves the pull ``running`` with nothing written
(one transaction): every few minutes :func:`pulls_resume_task` sends such pulls, whose
heartbeat stopped, to the queue again (``manage.py dti_pulls_resume`` by hand).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dti.web.connectors.models import PullState
from dti.web.connectors.pulling import MAX_ATTEMPTS, pull_run, stale_pulls


class PullRetry(Exception):  # noqa: N818 - the queue's signal, not an error of the user's
    """Raised to the queue so that it tries the pull again later."""


@db_task(retries=MAX_ATTEMPTS - 1, retry_delay=30, retry_backoff=2)  # type: ignore[untyped-decorator]
def pull_task(pull_id: int) -> str:
    pull = pull_run(pull_id)
    if pull.state == PullState.RETRYING:
        raise PullRetry(f"pull {pull_id}: attempt {pull.attempts} failed, will retry")
    return str(pull.state)


def pulls_resume() -> list[int]:
    """Queue again the pulls a dead consumer left (see the module's docstring)."""
    stale = stale_pulls()
    for pull_id in stale:
        pull_task(pull_id)
    return stale


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]
def pulls_resume_task() -> list[int]:
    return pulls_resume()
