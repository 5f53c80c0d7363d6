"""Room: dataset loading — a period whose leaves become measured part-way through.

The group moves to the version of its framework that declares the measured leaves (the
period's framework correction: the same leaves, audited, refused once a result is approved),
the province's connectors are configured as the admin's page configures them, and each is
pulled once, in-process — the same claim, fetch, mapping and all-or-nothing write the queue's
task runs, against the live source (the demo's: :mod:`dti.web.demo.source`). A pull that
fails is left as the queue leaves it (its problems stored, ``retrying`` for a source that may
come back): the demo still loads, and the admin can pull again from the connector's page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib.auth.models import User

from dti.web.assessments.models import Period
from dti.web.assessments.services import period_framework_correct
from dti.web.connectors.models import Connector, Pull
from dti.web.connectors.pulling import pull_run
from dti.web.connectors.services import connector_save, pull_start

if TYPE_CHECKING:
    from dti.web.demo.datasets import MeasuredSpec
    from dti.web.frameworks.models import FrameworkVersion

__all__ = ["measurement_start"]


def measurement_start(
    period: Period,
    spec: MeasuredSpec,
    version: FrameworkVersion,
    *,
    actor: User,
    log: Callable[[str], object] = print,
) -> list[Pull]:
    """Measure ``spec.group``'s leaves from now on; returns the pulls as they ended."""
    group = period.frameworks.select_related("group").get(group__code=spec.group).group
    period_framework_correct(
        actor=actor, period=period, group=group, version=version, reason=spec.reason
    )
    if spec.prepare is not None:
        spec.prepare()
    pulls = []
    for data in spec.connectors:
        connector = Connector.objects.filter(
            province=period.province, code=data.code
        ).first() or connector_save(actor=actor, province=period.province, data=data)
        pull = pull_run(pull_start(actor=actor, connector=connector, period=period).pk)
        problems = "; ".join(p.get("text", p["code"]) for p in pull.problems[:3])
        log(f"    {connector.code}: {pull.state}, {pull.values} values {problems}".rstrip())
        pulls.append(pull)
    return pulls
