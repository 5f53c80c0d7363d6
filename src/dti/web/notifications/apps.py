from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dti.web.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dti.web.assessments.services.verification_notices import on_verification_notice
        from dti.web.assessments.workflow import on_period_open, on_transition
        from dti.web.notifications.events import (
            period_opened,
            transition_taken,
            verification_noticed,
        )

        # Told inside the workflow's transaction: the inbox rows commit with the change, the
        # e-mail goes out through the queue once it has committed.
        on_transition(transition_taken)
        on_period_open(period_opened)
        # The clarification round: told once the action has committed.
        on_verification_notice(verification_noticed)
