"""Writes: a notification given (inbox now, e-mail after commit), read, and e-mail choices."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.notifications.kinds import Kind
from dti.web.notifications.models import EmailOptOut, Notification

__all__ = ["notification_read", "notifications_read_all", "notify", "preferences_set"]


def notify(
    *, users: Iterable[User], kind: Kind, params: Mapping[str, str], link: str = ""
) -> list[Notification]:
    """Tell ``users`` of an event: a message in each one's inbox at once (in the caller's
    transaction, so it exists exactly when the event does) and, for those who keep e-mail of
    this kind on, an e-mail in Vietnamese sent by the queue once the transaction commits.

    ``params`` fill the kind's text (see :data:`.kinds.TEXTS`): ``unit``, ``period``,
    ``deadline`` (an ISO date), ``detail``. The public entry point for every room."""
    unique = {user.pk: user for user in users if user.is_active}
    rows = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, params=dict(params), link=link)
        for user in unique.values()
    )
    ids = [row.pk for row in rows]
    if ids:
        from dti.web.notifications.tasks import notifications_email_task

        # Robust: a broker that is down is logged, never turned into an error of the event
        # that has already committed (the inbox holds the notification either way).
        transaction.on_commit(lambda: notifications_email_task(ids), robust=True)
    return rows


def notification_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's own notifications read (someone else's is not found)."""
    return bool(
        Notification.objects.filter(pk=notification_id, user=user, read_at=None).update(
            read_at=timezone.now()
        )
    )


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


def preferences_set(*, user: User, emailed: Collection[Kind]) -> None:
    """Keep e-mail on for the kinds in ``emailed`` and off for the others (audited)."""
    wanted = {Kind(k) for k in emailed}
    with transaction.atomic():
        before = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
        after = {str(kind) for kind in Kind if kind not in wanted}
        if before == after:
            return
        EmailOptOut.objects.filter(user=user).exclude(kind__in=after).delete()
        EmailOptOut.objects.bulk_create(
            [EmailOptOut(user=user, kind=kind) for kind in after - before]
        )
        audit_record(
            actor=user,
            action=AuditAction.NOTIFICATION_PREFERENCES,
            obj=user,
            field="email_opt_outs",
            old=sorted(before),
            new=sorted(after),
        )
