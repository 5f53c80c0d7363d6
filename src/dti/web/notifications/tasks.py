"""The queue's notification tasks (huey, discovered by djhuey): e-mail after commit, and the
deadline reminders every hour."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dti.web.notifications.mailing import notifications_email
from dti.web.notifications.reminders import deadline_reminders_send


# Retried with a pause: the mail server may be down for a while; nothing is sent twice.
@db_task(retries=5, retry_delay=60)  # type: ignore[untyped-decorator]
def notifications_email_task(notification_ids: list[int]) -> int:
    return notifications_email(notification_ids)


@db_periodic_task(crontab(minute="7"))  # type: ignore[untyped-decorator]
def deadline_reminders_task() -> int:
    return deadline_reminders_send()
