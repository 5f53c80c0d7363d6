"""``manage.py dti_recompute``: rescore a period, optionally on a corrected framework version.

    manage.py dti_recompute --period 3 --user admin
    manage.py dti_recompute --period 3 --user admin --background    # on the task queue
    manage.py dti_recompute --period 3 --user admin --group huyen --framework 12 \\
        --reason "Đính chính ngưỡng chỉ số 2.3 theo Công văn 45/STTTT"

Runs as the named admin (every score that moves is audited in their name, with the reason).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
from dti.web.assessments.models import Period
from dti.web.assessments.services import period_framework_correct, period_recompute
from dti.web.assessments.tasks import period_recompute_task
from dti.web.errors import ServiceError
from dti.web.frameworks.models import FrameworkVersion
from dti.web.registry.models import UnitGroup


class Command(BaseCommand):
    help = (
        "Rescore every open assessment of a period (approved and published ones are left "
        "alone); with --group and --framework, first move that group to a corrected version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", type=int, required=True, help="period id")
        parser.add_argument("--user", required=True, help="the admin the change is audited to")
        parser.add_argument("--group", help="unit group code (with --framework)")
        parser.add_argument("--framework", type=int, help="id of the corrected version")
        parser.add_argument("--reason", default="", help="why (required with --framework)")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the rescoring for the task queue's consumer instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.objects.get(pk=options["period"])
            actor = User.objects.get(username=options["user"])
        except (Period.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        if (options["group"] is None) != (options["framework"] is None):
            raise CommandError("--group and --framework go together")
        if options["background"]:
            self._queue(period, actor, options)
            return
        try:
            if options["framework"] is not None:
                group = UnitGroup.objects.get(code=options["group"], province=period.province)
                version = FrameworkVersion.objects.get(pk=options["framework"])
                report = period_framework_correct(
                    actor=actor,
                    period=period,
                    group=group,
                    version=version,
                    reason=options["reason"],
                )
            else:
                report = period_recompute(actor=actor, period=period, reason=options["reason"])
        except (UnitGroup.DoesNotExist, FrameworkVersion.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        except ServiceError as error:
            raise CommandError("; ".join([error.message, *error.problems])) from error
        self.stdout.write(
            f"rescored {report.recomputed} assessments, {report.changed} changed; "
            f"{report.frozen} approved or published left as they are"
        )

    def _queue(self, period: Period, actor: User, options: dict[str, Any]) -> None:
        if options["framework"] is not None:
            raise CommandError("--background rescores only; correct a framework in the foreground")
        try:
            require_role(actor, Role.ADMIN)  # refused now, not later in the consumer's log
        except ServiceError as error:
            raise CommandError(error.message) from error
        result = period_recompute_task(period.pk, actor.pk, options["reason"])
        self.stdout.write(f"queued the rescoring of period {period.pk} (task {result.id})")
