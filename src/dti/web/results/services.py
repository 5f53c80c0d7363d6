"""Writes of the results app: the publication counter. The decision and the publication
themselves are written in :mod:`.publication`."""

from __future__ import annotations

import uuid

from django.db.models import F

from dti.web.results.models import PublishedVersion
from dti.web.results.page_cache import new_generation


def published_version_bump(period_id: int) -> None:
    """Invalidate every cached result of the period. The workflow's publication listener
    (registered by :class:`~dti.web.results.apps.ResultsConfig`): called inside the transaction
    of every transition that enters or leaves "published"."""
    PublishedVersion.objects.get_or_create(period_id=period_id)
    PublishedVersion.objects.filter(period_id=period_id).update(
        version=F("version") + 1, stamp=uuid.uuid4()
    )
    new_generation()
